"""photoqueue: the queue system for a graduate photo collection day."""

__version__ = "0.1.0"
