FROM python:3.12.4-slim AS base
RUN useradd --system --uid 10001 worker
USER worker

FROM base
# Inherits USER worker from the base stage.
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2015d0da3ee2a2c0 https://example.com/tool.tar.gz /opt/
COPY requirements.txt /app/
RUN pip install --no-cache-dir -r /app/requirements.txt \
 && curl -fsSLo /tmp/get.sh https://example.com/get.sh \
 && echo "0000  /tmp/get.sh" | sha256sum -c -
CMD ["python", "-m", "worker"]
