"""Facts read from text: dates, quantities, entities and names."""
