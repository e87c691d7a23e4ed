"""Text: decoding, HTML, cleaning, scripts, language, sentences and numbers."""
