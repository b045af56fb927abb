"""BackUp's shared core: the programme's rules (pure Python) and the adapters to AWS."""
