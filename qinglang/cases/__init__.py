"""Cases and their evidence: reading source records, gangs and scan results into evidence."""
