"""The provider registry (市场主体): the service behind ``surveyapp providers``.

:mod:`.credit_code` (the GB 32100-2015 check character), :mod:`.coords` (GCJ-02 to
WGS-84), :mod:`.registry_file` (reading and checking a registry CSV), :mod:`.registry`
(importing it all or nothing, with audit; listing), :mod:`.scores` (the ratings of the
rolling window counted in SQL, handed to :mod:`analysis.provider_scores`).
"""
