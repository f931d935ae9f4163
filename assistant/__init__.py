"""Question -> answer: understanding, hybrid retrieval, answerers, citation verification."""
