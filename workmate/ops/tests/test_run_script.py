"""./run's start-up: its own control socket, no start-up chatter."""

from __future__ import annotations

import logging
import re

from django.conf import settings


def test_gunicorn_control_socket_is_kept_in_this_instances_var_folder():
    script = (settings.BASE_DIR / "run").read_text()
    gunicorn = re.search(r"^\.venv/bin/gunicorn .*?(?<!\\)\n", script, re.M | re.S).group(0)
    # gunicorn's default, ~/.gunicorn/gunicorn.ctl, is shared by every instance.
    assert "--control-socket var/gunicorn.ctl" in gunicorn


def test_run_prepares_in_one_process():
    script = (settings.BASE_DIR / "run").read_text()
    assert "manage prepare" in script
    for separate in ("manage migrate", "manage compilemessages", "manage collectstatic"):
        assert separate not in script


def test_axes_does_not_announce_itself_in_every_process():
    assert not logging.getLogger("axes.apps").isEnabledFor(logging.INFO)
    # Lock-outs and failures are still logged.
    assert logging.getLogger("axes.handlers").isEnabledFor(logging.INFO)
