"""The hall display: a view model and a pygame renderer; sounds. A leaf library: imports nothing
from photoqueue.device or photoqueue.central."""
