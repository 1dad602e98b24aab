# syntax=docker/dockerfile:1
# Regietafel: one image for every process (casework, analytics, worker, scheduler, the
# migration job and the policy bundle). Multi-stage: the build stage installs with the
# same steps as `make install` (tests/deploy/test_deployment_files.py checks that), the
# runtime stage carries only the installed tree and runs as an unprivileged user.

FROM python:3.11-slim AS build
WORKDIR /app
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY services ./services
COPY tenants ./tenants
COPY analytics ./analytics
COPY policies ./policies
# The steps of the Makefile's `install` target, with EXTRAS empty (no development tools):
RUN python3.11 -m venv .venv
RUN .venv/bin/python -m pip install --quiet --upgrade pip
RUN .venv/bin/python -m pip install --quiet -e '.'

# The NL Design System design tokens, with the Makefile's `assets` step (npm ci from the lock file).
FROM node:20-slim AS theme
WORKDIR /app
COPY services/casework/web/theme/package.json services/casework/web/theme/package-lock.json ./services/casework/web/theme/
RUN npm ci --prefix services/casework/web/theme --no-audit --no-fund --ignore-scripts --loglevel=error

FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 regietafel \
    && useradd --system --uid 10001 --gid regietafel --home-dir /var/lib/regietafel \
       --create-home --shell /usr/sbin/nologin regietafel
COPY --from=build --chown=root:root /app /app
COPY --from=theme --chown=root:root /app/services/casework/web/theme/node_modules /app/services/casework/web/theme/node_modules
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    REGIETAFEL_MODE=production \
    REGIETAFEL_HOST=0.0.0.0 \
    REGIETAFEL_DATA_DIR=/var/lib/regietafel
WORKDIR /app
USER 10001:10001
EXPOSE 8000 8001
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["regietafel", "probe"]
CMD ["regietafel", "run"]
