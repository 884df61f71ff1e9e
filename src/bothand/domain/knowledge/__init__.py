"""Knowledge: the frozen content models (explainers, evidence, crisis, sources, labels) and
the readability measure applied to every text a person reads."""
