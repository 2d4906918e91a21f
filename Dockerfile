# syntax=docker/dockerfile:1
# Build: docker build -t detente .
# Run:   docker run -p 8000:8000 -e DATABASE_URL=postgresql://user:pass@db:5432/detente detente

FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY service ./service
COPY sql ./sql
# Editable, so the package finds sql/ beside it in /app.
RUN pip install --editable .

FROM python:3.12-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOST=0.0.0.0 PORT=8000
# A fixed numeric id, so that volume ownership and `runAsNonRoot` checks do not depend on /etc/passwd.
RUN groupadd --system --gid 10001 detente \
 && useradd --system --uid 10001 --gid detente --home-dir /app --shell /usr/sbin/nologin detente
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=detente:detente /app /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2); sys.exit(0)"]
CMD ["detente", "serve"]
