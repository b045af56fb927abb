"""backup-ops: the command line ops use to see and move the volunteers' running workflows."""
