"""Sync in (DESIGN §14): departments and employees upserted in bulk from CSV or XLSX, all or nothing."""
