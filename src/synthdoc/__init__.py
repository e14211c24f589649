"""synthdoc: structured claims in, cited chapters, policy briefs and evidence matrices out."""

__version__ = "0.1.0"
