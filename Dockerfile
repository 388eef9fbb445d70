# syntax=docker/dockerfile:1
# The Keyward operator image: built from source with Maven, run on a JRE as a non-root user.
#   docker build --build-arg GIT_COMMIT=$(git rev-parse --short HEAD) -t ghcr.io/keyward/keyward:0.1.0 .

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY src ./src
# The image has no .git: the commit keyward --version reports comes from the build (docker build
# --build-arg GIT_COMMIT=$(git rev-parse --short HEAD) .), "unknown" without it.
ARG GIT_COMMIT=unknown
# The cache mount keeps downloaded dependencies between builds (BuildKit).
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests -Dgit.commit.id.abbrev=${GIT_COMMIT}

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 65532 keyward \
 && useradd --system --uid 65532 --gid 65532 --home-dir /app --no-create-home --shell /usr/sbin/nologin keyward
WORKDIR /app
COPY --from=build /src/target/keyward.jar /app/keyward.jar
# Numeric, so that runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/keyward.jar"]
CMD ["run"]
