FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FIREBELL_MIGRATIONS_DIR=/app/migrations
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
# /app belongs to root; the service writes only to /data, so a `docker run` without DATABASE_URL keeps its
# SQLite database in a folder it owns (mount a volume there to keep it).
RUN pip install --no-cache-dir -e . && useradd --create-home --uid 10001 firebell \
  && mkdir /data && chown firebell:firebell /data
ENV DATABASE_URL=sqlite:////data/firebell.db
VOLUME /data
USER firebell
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2)"
CMD ["firebell", "serve", "--host", "0.0.0.0", "--port", "3000"]
