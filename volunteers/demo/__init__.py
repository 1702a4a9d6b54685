"""The demo's responders: mediators, counsellors, volunteer squads, committees, their dispatches."""
