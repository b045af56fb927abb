"""What the programme does, one module per journey or role. Use cases receive their adapters
through the ports in backup.usecases.ports and know no AWS."""
