"""Rating a provider: the per-sector rating forms (:mod:`.forms`) and storing a rating
(:mod:`.submit`), for the rating page (``surveyapp/rate/``) and the JSON API alike."""
