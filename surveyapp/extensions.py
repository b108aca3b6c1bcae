"""Flask extensions, created unbound here and bound in :func:`surveyapp.create_app`."""

from flask_babel import Babel
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from surveyapp.models.base import Base

# Objects stay readable after commit: a view that just stored a response replies from
# the values it holds instead of reloading the rows (two SELECTs per submission saved).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
