"""The parts of the unifying view: losses, models, feature maps, regularizers."""
