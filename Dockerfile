# FilmBot container image: slim Python, non-root user, `filmbot run` as the command.
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/filmbot \
    && /opt/filmbot/bin/pip install --upgrade pip \
    && /opt/filmbot/bin/pip install ".[redis]"

FROM python:3.12-slim
ENV PATH="/opt/filmbot/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    LOG_DIR=/data/logs \
    DATABASE_URL=sqlite+aiosqlite:////data/filmbot.db \
    HEALTH_FILE=/tmp/filmbot.health
RUN useradd --create-home --uid 10001 filmbot \
    && mkdir -p /data && chown filmbot:filmbot /data
COPY --from=build /opt/filmbot /opt/filmbot
USER filmbot
WORKDIR /data
VOLUME ["/data"]
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 CMD ["filmbot", "healthcheck"]
STOPSIGNAL SIGTERM
CMD ["filmbot", "run"]
