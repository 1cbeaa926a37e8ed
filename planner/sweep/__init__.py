"""Options analysis: requirement variants planned in parallel and compared (`stampplan sweep`)."""
