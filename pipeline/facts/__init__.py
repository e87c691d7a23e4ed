"""Facts read from text: dates, quantities, entities, names and the kind of action."""
