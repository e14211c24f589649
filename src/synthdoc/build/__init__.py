"""The build stage: which outputs to make, making them as a transaction, and the record of what was made."""
