from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.survey.snapshots import remember_open_rounds

app = create_app()
with app.app_context():  # each worker can re-draw a survey page while the database is down
    remember_open_rounds(db.session)
    db.engine.dispose()
