"""Print shell assignments the desk load test needs: a session cookie, an API token, a ticket.

Run with the benchmark's environment (bench/run_desk.sh does):
    .venv/bin/python bench/prepare_desk.py  ->  SESSION=... TOKEN=... TICKET=... MINE=...

Steps:
1. Find the busy agent the seeders made (busy@bench.example, in the support team).
2. Create a logged-in session for them directly in the session store, as the login view
   would, so wrk can send `Cookie: sessionid=...` without driving the login form.
3. Create (or reuse) a personal API token named "bench-desk": only its digest is stored.
4. Pick a ticket of their queue with ten timeline entries for the ticket page.
5. The customer with the most tickets ("Bench customer 1") for the customer filter.
"""

from __future__ import annotations

import benchlib


def main() -> None:
    benchlib.setup_django()
    from workmate.desk.models import Customer, Ticket, TicketEntry

    busy = benchlib.busy_person()
    benchlib.print_session_and_token(busy, "bench-desk")

    mine = list(Ticket.objects.active().filter(assignee=busy).values_list("pk", flat=True))
    assert mine, "Seed the desk first (bench/run_desk.sh does)."
    ticket = mine[0]
    for pk in mine:
        if TicketEntry.objects.filter(ticket_id=pk).count() == 10:
            ticket = pk
            break
    print(f"TICKET={ticket}")
    print(f"TICKETS={Ticket.objects.count()}")
    print(f"MINE={len(mine)}")
    customer = Customer.objects.filter(name="Bench customer 1").values_list("pk", flat=True)
    print(f"CUSTOMER={customer.first() or 1}")


if __name__ == "__main__":
    main()
