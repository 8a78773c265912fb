"""Routes of MKB Assen's part of the portal, every one for MKB staff and administrators only.

- registry.py's pages here: the member list (`/mkb/leden`) and the import of the CRM's file
  (upload, column mapping, preview, confirm or cancel);
- dashboard.py: the engagement dashboard (`/mkb/dashboard`), its exports and the per-sector view;
- members.py: one member (link to an organisation by hand, invite to the portal) and reminders.
"""

from __future__ import annotations

from partner_portal.mkb import bp, dashboard, members  # noqa: F401  (their routes attach to bp)
