"""The project documents itself: nothing points outside the repository."""

from __future__ import annotations

import re
import subprocess

from django.conf import settings


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    return listed.stdout.split()


def test_no_file_points_at_a_folder_outside_the_repository():
    outside = "../" + "shared"  # Spelt in two parts so that this file does not match.
    texts = {".py", ".md", ".txt", ".html", ".toml", ".sh", ""}
    paths = [settings.BASE_DIR / name for name in tracked_files()]
    offenders = [
        path
        for path in paths
        if path.suffix in texts and path.is_file() and outside in path.read_text("latin-1")
    ]
    assert offenders == []


def test_readme_links_to_the_architecture_document_and_every_link_resolves():
    readme = (settings.BASE_DIR / "README.md").read_text()
    links = re.findall(r"\]\(([^)#:]+)\)", readme)
    assert "docs/ARCHITECTURE.md" in links
    for link in links:
        assert (settings.BASE_DIR / link).exists(), link
    architecture = (settings.BASE_DIR / "docs" / "ARCHITECTURE.md").read_text()
    for heading in ("## Layout", "## Where a rule lives", "## Adding an app", "## Testing"):
        assert heading in architecture
