"""The commitments' routes, one module per part; importing this attaches them all to `bp`.

- public: the list per consultation, the commitment's page with its versions and signatories, its
  PDF, the verification of a receipt code, the receipts
- manage: the process manager's pages (create, edit the text, open, close, withdraw)
- signing: signing for an organisation, co-signing, signing a new version, revoking, giving notice
"""

from partner_portal.commitments import (  # noqa: F401
    bp,
    documents,
    manage,
    public,
    signing,
)
