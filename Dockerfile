# The classroom API with the scaled backends (Postgres, Redis); used by compose.yaml.
FROM python:3.11-slim
COPY . /src
RUN pip install --no-cache-dir --root-user-action=ignore '/src[scale]' && rm -rf /src
ENV LITELLM_LOCAL_MODEL_COST_MAP=True DELIBERATION_DATA_DIR=/data
EXPOSE 8000
CMD ["deliberation", "serve", "--host", "0.0.0.0", "--port", "8000"]
