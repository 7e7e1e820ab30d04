"""The SQLAlchemy persistence paths: models, repositories, services, controllers, migrations."""
