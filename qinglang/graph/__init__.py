"""Entity graph of customers, complaints, calls and the identifiers they share; gangs and agents."""
