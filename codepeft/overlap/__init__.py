"""The train/test overlap audit: `index` (normalisation, the n-gram index of a test set and the
streamed training side), `audit` (one test set against one mixture: the rule's table and
summary), `plan` (which test sets meet which mixtures, and the audit files of a stats block)."""
