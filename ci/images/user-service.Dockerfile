# The app image for ci/compose.yaml: the already compiled user-service binary
# on a small Debian. ci/compose-smoke builds it with a build context holding
# only that binary, so the build takes seconds.
#
# BASE: ci/compose-smoke passes local/debian:bookworm (built from Debian
# packages by ci/images/build-postgres, for machines with no image registry);
# elsewhere the official slim image does. Either way it must be the Debian
# release the binary was compiled on, or its glibc may be too old.
ARG BASE=debian:bookworm-slim
FROM ${BASE}
COPY user-service /usr/local/bin/user-service
# Lets ci/compose-smoke remove earlier builds of this image, and only those.
LABEL book.app-image=user-service
# The app needs no privileges; don't give it root.
USER nobody
# The binary's default, 127.0.0.1, is unreachable from outside a container:
# published ports arrive on the container's own network interface.
ENV BIND_ADDR=0.0.0.0:3000
EXPOSE 3000
ENTRYPOINT ["/usr/local/bin/user-service"]
