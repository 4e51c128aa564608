"""Limits shared by the ranker (``rank``) and its two-tier order (``tiers``)."""

CANDIDATES = 50           # best matches taken from each index lookup (at least the page's depth)
RARE_DF = 500             # a word in at most this many clauses is looked up on its own
PASTED = 6                # a query of this many characters found verbatim is a pasted fragment
RANK_CAP = 20_000         # lookups matching more postings than this take the first matches unranked
EXACT_COUNT = 20_000      # above this many postings the total is estimated
MATCHED = 5               # the position of the query words held in a row's key (``rank.Ranker.key``)
TITLED = 9                # … and whether its document was named by 《title》
