"""Survey rounds: a questionnaire version asked in one period, over set dates and districts."""
