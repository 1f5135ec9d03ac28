"""Small text statistics used by the agent-session example."""

from .core import average_word_length, word_count

__all__ = ["average_word_length", "word_count"]
