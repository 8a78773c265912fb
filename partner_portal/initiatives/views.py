"""The initiatives' routes, one module per part of the journey; importing this attaches them all to `bp`.

- drafting: the initiators' draft, co-initiators, attachments, submission and withdrawal
- review: the gemeente's steps (review, changes, adoption with grants, decline)
- public: the list per consultation and the initiative's page, following
- execution: milestones, spending, progress updates and hiding them
- programme: the execution programme page, its PDF, CSV/XLSX export and the bulk import
"""

from partner_portal.initiatives import (  # noqa: F401
    bp,
    drafting,
    execution,
    programme,
    public,
    review,
)
