"""Reading a question: spelling, intents by meaning, the question reader."""
