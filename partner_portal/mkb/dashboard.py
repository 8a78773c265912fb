"""The engagement dashboard (`/mkb/dashboard`): what each member did, per sector, and the exports."""
