# market-etl container image: Maven build stage, JRE 17 runtime, non-root user.
# Build and run with `docker compose up` (see docker-compose.yml), or alone:
#   docker build -t market-etl . && docker run --rm -e POSTGRES_HOST=... -p 9876:9876 market-etl

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first, so that source edits reuse the cached dependency layer.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY application.properties ./
COPY src ./src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
# curl for the container health check against the management port.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system etl \
    && useradd --system --gid etl --home-dir /app --shell /usr/sbin/nologin etl
WORKDIR /app
COPY --from=build /build/target/market-etl.jar ./market-etl.jar
COPY application.properties ./application.properties
COPY routes ./routes
# the load spool (batches waiting for the database); compose mounts a named volume here so that it outlives the
# container. Created in the image so that a new volume starts owned by etl.
RUN mkdir -p /app/spool && chown -R etl:etl /app
USER etl
# 9876: management (/observe/health, /observe/metrics, /observe/jolokia for Hawtio).
EXPOSE 9876
# 8080: the REST API (/api/connectors, /api/openapi.json).
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${MARKET_ETL_MANAGEMENT_PORT:-9876}/observe/health/ready" || exit 1
# MaxRAMPercentage: size the heap from the container's memory limit, not the host's.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/market-etl.jar"]
