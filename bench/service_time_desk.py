"""Time each desk page in-process, one request at a time (as bench/service_time.py does).

The fastest and the median of 20 sequential requests through Django's test client, with
the SQL time and the number of queries of one more. bench/run_desk.sh runs this after wrk:
    TICKET=... TOKEN=... .venv/bin/python bench/service_time_desk.py
PAGES=mine,ticket times only those pages; SHOW_SQL=1 lists each page's queries.
"""

from __future__ import annotations

import os

import benchlib


def main() -> None:
    benchlib.setup_django()
    from workmate.desk.models import Customer

    ticket = os.environ["TICKET"]
    anonymous, client, bearer = benchlib.clients(os.environ.get("TOKEN", ""))
    # The customer with the most tickets, for the customer filter (issue 18).
    customer = Customer.objects.filter(name="Bench customer 1").values_list("pk", flat=True)
    customer_id = customer.first() or 1
    benchlib.time_pages(
        [
            ("bare", anonymous, "/healthz", {}),
            ("dashboard", client, "/desk/", {}),
            ("mine", client, "/desk/mine/", {}),
            ("unassigned", client, "/desk/unassigned/", {}),
            ("at_risk", client, "/desk/at-risk/", {}),
            ("breached", client, "/desk/breached/", {}),
            ("pending", client, "/desk/pending/", {}),
            ("all", client, "/desk/all/", {}),
            ("all_open", client, "/desk/all/?status=open", {}),
            ("all_new", client, "/desk/all/?status=new", {}),
            ("all_customer", client, f"/desk/all/?customer={customer_id}", {}),
            ("all_priority", client, "/desk/all/?priority=2", {}),
            ("all_me", client, "/desk/all/?assignee=me", {}),
            ("all_closed", client, "/desk/all/?status=closed", {}),
            ("all_history", client, "/desk/all/?status=any", {}),
            ("reports", client, "/desk/reports/", {}),
            ("ticket", client, f"/desk/tickets/{ticket}/", {}),
            ("api_tickets", anonymous, "/api/v1/desk/tickets", bearer),
        ],
        only=set(filter(None, os.environ.get("PAGES", "").split(","))),
        show_sql=bool(os.environ.get("SHOW_SQL")),
    )


if __name__ == "__main__":
    main()
