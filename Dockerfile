# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-deps .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /srv kpr
WORKDIR /srv
COPY --from=build /opt/venv /opt/venv
# `kpr migrate` finds alembic.ini and migrations/ beside the installed app package.
COPY --from=build /src/alembic.ini /opt/venv/lib/python3.11/site-packages/alembic.ini
COPY --from=build /src/migrations /opt/venv/lib/python3.11/site-packages/migrations
RUN mkdir -p /srv/var && chown kpr /srv/var
# The source revision, shown by GET /version: docker build --build-arg KPR_COMMIT=$(git rev-parse --short HEAD) .
ARG KPR_COMMIT=""
# KPR_DATA_DIR: where the defaults (a SQLite file, a development secret) would go; production sets
# KPR_DATABASE_URL and KPR_JWT_SECRET and writes nothing there.
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 KPR_DATA_DIR=/srv/var KPR_COMMIT=$KPR_COMMIT
USER kpr
EXPOSE 8000
HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
CMD ["kpr", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
