# syntax=docker/dockerfile:1
# Two stages: the Swift toolchain and -dev packages stay in the builder; the runtime image only
# gets the binary, the face models and the shared libraries dlib needs.

FROM swift:6.1-bookworm AS build
# The same packages scripts/setup checks for, installed here so this layer caches and setup
# finds nothing to install.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends \
        libdlib-dev libopenblas-dev liblapack-dev libjpeg-dev libpng-dev libsqlite3-dev \
        libopencv-core-dev libopencv-imgproc-dev libopencv-dnn-dev \
        ca-certificates python3 python3-venv python3-pip curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build

# Models before the sources: they change far less often, so this layer survives code edits.
COPY scripts/setup scripts/setup
COPY scripts/models scripts/models
RUN FACESTREAM_CACHE=/tmp/facestream-cache MODELS_DIR=/app/models DOCS_ASSETS_DIR=/app/swagger-ui scripts/setup \
    && rm -rf /tmp/facestream-cache

# Resolve dependencies on their own layer so they're cached unless Package.* changes.
COPY ./Package.* ./
RUN swift package resolve

COPY . .
RUN swift build -c release --product facestream --static-swift-stdlib

# Stage what the runtime image needs: binary, SwiftPM resource bundles, Public/, models, Swagger UI.
WORKDIR /staging
RUN bin="$(swift build --package-path /build -c release --show-bin-path)" \
    && cp "$bin/facestream" ./ \
    && find -L "$bin/" -regex '.*\.resources$' -exec cp -Ra {} ./ \; \
    && if [ -d /build/Public ]; then cp -Ra /build/Public ./Public; fi \
    && cp -Ra /app/models ./models \
    && cp -Ra /app/swagger-ui ./swagger-ui

FROM swift:6.1-bookworm-slim
# Runtime halves of the builder's -dev packages (Debian 12 names). libopenblas0 provides
# libblas.so.3/liblapack.so.3. libdlib19.1 drags in libdlib-data, whose only file is the
# 68-point landmark model: we never load it and it isn't licensed for commercial use, so drop it.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends \
        libdlib19.1 libopenblas0 liblapack3 libjpeg62-turbo libpng16-16 libsqlite3-0 \
        libopencv-core406 libopencv-imgproc406 libopencv-dnn406 \
        ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* /usr/share/dlib/shape_predictor_68_face_landmarks.dat

RUN useradd --user-group --system --create-home --home-dir /app facestream \
    && mkdir -p /data && chown facestream:facestream /data
WORKDIR /app
COPY --from=build --chown=facestream:facestream /staging /app
RUN ln -s /app/facestream /usr/local/bin/facestream

ENV MODELS_DIR=/app/models DOCS_ASSETS_DIR=/app/swagger-ui DATA_DIR=/data
VOLUME /data
USER facestream:facestream
EXPOSE 8000
CMD ["facestream", "serve", "--hostname", "0.0.0.0", "--port", "8000"]
