# The saz_geboortezorg federated algorithm image, after vantage6's algorithm template
# (https://github.com/vantage6/v6-boilerplate-py: a vantage6 algorithm base image, the
# package installed, PKG_NAME naming the module vantage6 runs methods from, and
# wrap_algorithm() as the command). Not built in CI (CI has no Docker). Build from the
# repository root:
#
#   docker build -t <registry>/saz-geboortezorg-federated:0.1.0 .
#
# and publish it to a registry the nodes trust (a node only runs images its policies allow).
ARG BASE=4.13
FROM harbor2.vantage6.ai/infrastructure/algorithm-base:${BASE}

# The module whose methods vantage6 calls (partial_prepare, partial_sums, central_*).
ARG PKG_NAME="saz_geboortezorg.federated"

COPY pyproject.toml README.md /app/
COPY saz_geboortezorg /app/saz_geboortezorg
RUN pip install --no-cache-dir '/app[federated]'

ENV PKG_NAME=${PKG_NAME}

# wrap_algorithm reads the task's input, calls the method by name and writes its output.
CMD python -c "from vantage6.algorithm.tools.wrap import wrap_algorithm; wrap_algorithm()"
