"""What each person must do next (DESIGN §12): tasks derived from the state they are about, mentions, and the
reminders and escalations that keep anything from slipping silently."""
