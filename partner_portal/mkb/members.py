"""One member of the registry: link it to an organisation by hand, invite it; reminders to members."""
