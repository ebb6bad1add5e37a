# Recon API image: wheels built in a first stage, installed in a slim runtime, run as a non-root user.
#   docker build -t recon-api .
#   docker run -e RECON_API_KEYS='alice:<key of 16+ chars>,admin@admin:<key>' -p 127.0.0.1:8000:8000 recon-api
# The image runs with RECON_ENV=production: it refuses to start without RECON_API_KEYS or RECON_OIDC_*.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY recon ./recon
COPY api ./api
COPY eval ./eval
COPY nlp_models ./nlp_models
# the API's own dependencies are listed too, in case pyproject.toml does not carry them yet
RUN pip wheel --wheel-dir /wheels . \
        pydantic-settings==2.16.3 SQLAlchemy==2.1.9 "psycopg[binary]==3.3.9" PyJWT==2.15.1 cryptography==50.0.2

FROM python:3.11-slim AS runtime
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    RECON_ENV=production RECON_DB_PATH=/data/recon.sqlite3
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin recon \
    && mkdir -p /data && chown recon:recon /data && chmod 700 /data
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links /wheels /wheels/*.whl && rm -rf /wheels
USER recon
WORKDIR /home/recon
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# 0.0.0.0 inside the container (published by the runtime); `recon serve` refuses it without authentication
CMD ["recon", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
