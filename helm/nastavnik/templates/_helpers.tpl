{{/* Names, labels and the environment every container shares. */}}

{{- define "nastavnik.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nastavnik.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "nastavnik.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object; pass the root context. */}}
{{- define "nastavnik.labels" -}}
helm.sh/chart: {{ include "nastavnik.chart" . }}
{{ include "nastavnik.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "nastavnik.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nastavnik.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of one component's objects: (dict "root" $ "component" "web"). */}}
{{- define "nastavnik.componentLabels" -}}
{{ include "nastavnik.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "nastavnik.componentSelectorLabels" -}}
{{ include "nastavnik.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "nastavnik.image" -}}
{{- $repository := .Values.image.repository -}}
{{- if .Values.image.registry -}}
{{- $repository = printf "%s/%s" .Values.image.registry .Values.image.repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "nastavnik.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "nastavnik.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret each group of keys is read from: its own existing Secret, the common one, the chart's. */}}
{{- define "nastavnik.secretName" -}}
{{- default (include "nastavnik.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "nastavnik.databaseSecretName" -}}
{{- default (include "nastavnik.secretName" .) .Values.externalDatabase.existingSecret -}}
{{- end -}}

{{- define "nastavnik.redisSecretName" -}}
{{- default (include "nastavnik.secretName" .) .Values.externalRedis.existingSecret -}}
{{- end -}}

{{- define "nastavnik.redisAuth" -}}
{{- if or .Values.externalRedis.password .Values.externalRedis.existingSecret -}}true{{- end -}}
{{- end -}}

{{- define "nastavnik.databaseQuery" -}}
{{- with .Values.externalDatabase.query -}}?{{ . }}{{- end -}}
{{- end -}}

{{/* The URL web and worker connect with: host, port and database only (the roles bring their own
passwords; the owner's name is what the policies name). Through PgBouncer when it is enabled. */}}
{{- define "nastavnik.applicationDatabaseUrl" -}}
{{- $db := .Values.externalDatabase -}}
{{- $host := $db.host -}}
{{- $port := $db.port -}}
{{- if .Values.pgbouncer.enabled -}}
{{- $host = .Values.pgbouncer.host -}}
{{- $port = .Values.pgbouncer.port -}}
{{- end -}}
{{- printf "postgresql+asyncpg://%s@%s:%v/%s%s" $db.user $host $port $db.database (include "nastavnik.databaseQuery" .) -}}
{{- end -}}

{{- define "nastavnik.replicaDatabaseUrl" -}}
{{- $db := .Values.externalDatabase -}}
{{- printf "postgresql+asyncpg://%s@%s:%v/%s%s" $db.user .Values.replica.host .Values.replica.port $db.database (include "nastavnik.databaseQuery" .) -}}
{{- end -}}

{{/* The migration Job's URL: the owner with its password, straight to PostgreSQL (never PgBouncer:
migrations take session-level locks). $(DB_OWNER_PASSWORD) is expanded by Kubernetes. */}}
{{- define "nastavnik.ownerDatabaseUrl" -}}
{{- $db := .Values.externalDatabase -}}
{{- printf "postgresql+asyncpg://%s:$(DB_OWNER_PASSWORD)@%s:%v/%s%s" $db.user $db.host $db.port $db.database (include "nastavnik.databaseQuery" .) -}}
{{- end -}}

{{- define "nastavnik.redisUrl" -}}
{{- $r := .Values.externalRedis -}}
{{- $scheme := ternary "rediss" "redis" $r.tls -}}
{{- if include "nastavnik.redisAuth" . -}}
{{- printf "%s://:$(REDIS_PASSWORD)@%s:%v/%v" $scheme $r.host $r.port $r.database -}}
{{- else -}}
{{- printf "%s://%s:%v/%v" $scheme $r.host $r.port $r.database -}}
{{- end -}}
{{- end -}}

{{- define "nastavnik.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/* The environment of every container: (dict "root" $ "owner" true) for the migration Job. */}}
{{- define "nastavnik.env" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $secret := include "nastavnik.secretName" $root -}}
{{- $dbSecret := include "nastavnik.databaseSecretName" $root -}}
- name: NASTAVNIK_MODE
  value: production
- name: NASTAVNIK_PUBLIC_URL
  value: {{ $v.publicUrl | quote }}
- name: NASTAVNIK_LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: NASTAVNIK_LOG_FORMAT
  value: {{ $v.logFormat | quote }}
{{- with $v.plugins }}
- name: NASTAVNIK_PLUGINS
  value: {{ . | quote }}
{{- end }}
{{ include "nastavnik.secretEnv" (dict "name" "NASTAVNIK_SECRET_KEY" "secret" $secret "key" "secret-key") }}
- name: NASTAVNIK_DB_APP_ROLE
  value: {{ $v.externalDatabase.appUser | quote }}
- name: NASTAVNIK_DB_AUDITOR_ROLE
  value: {{ $v.externalDatabase.auditorUser | quote }}
- name: NASTAVNIK_DB_AGGREGATOR_ROLE
  value: {{ $v.externalDatabase.aggregatorUser | quote }}
- name: NASTAVNIK_DB_PROVISIONER_ROLE
  value: {{ $v.externalDatabase.provisionerUser | quote }}
{{ include "nastavnik.secretEnv" (dict "name" "NASTAVNIK_DB_APP_PASSWORD" "secret" $dbSecret "key" "db-app-password") }}
{{ include "nastavnik.secretEnv" (dict "name" "NASTAVNIK_DB_AUDITOR_PASSWORD" "secret" $dbSecret "key" "db-auditor-password") }}
{{ include "nastavnik.secretEnv" (dict "name" "NASTAVNIK_DB_AGGREGATOR_PASSWORD" "secret" $dbSecret "key" "db-aggregator-password") }}
{{ include "nastavnik.secretEnv" (dict "name" "NASTAVNIK_DB_PROVISIONER_PASSWORD" "secret" $dbSecret "key" "db-provisioner-password") }}
- name: NASTAVNIK_DB_POOL_SIZE
  value: {{ $v.externalDatabase.poolSize | quote }}
{{- if .owner }}
{{ include "nastavnik.secretEnv" (dict "name" "DB_OWNER_PASSWORD" "secret" $dbSecret "key" "db-owner-password") }}
- name: NASTAVNIK_DATABASE_URL
  value: {{ include "nastavnik.ownerDatabaseUrl" $root | quote }}
{{- else }}
- name: NASTAVNIK_DATABASE_URL
  value: {{ include "nastavnik.applicationDatabaseUrl" $root | quote }}
- name: NASTAVNIK_DB_TRANSACTION_POOLING
  value: {{ and $v.pgbouncer.enabled $v.pgbouncer.transactionPooling | quote }}
{{- if $v.replica.enabled }}
- name: NASTAVNIK_DATABASE_REPLICA_URL
  value: {{ include "nastavnik.replicaDatabaseUrl" $root | quote }}
{{- end }}
{{- end }}
{{- if include "nastavnik.redisAuth" $root }}
{{ include "nastavnik.secretEnv" (dict "name" "REDIS_PASSWORD" "secret" (include "nastavnik.redisSecretName" $root) "key" "redis-password") }}
{{- end }}
- name: NASTAVNIK_REDIS_URL
  value: {{ include "nastavnik.redisUrl" $root | quote }}
- name: NASTAVNIK_REDIS_PREFIX
  value: {{ $v.externalRedis.prefix | quote }}
{{- with $v.keycloak }}
- name: NASTAVNIK_KEYCLOAK_URL
  value: {{ .url | quote }}
- name: NASTAVNIK_KEYCLOAK_REALM
  value: {{ .realm | quote }}
- name: NASTAVNIK_KEYCLOAK_CLIENT_ID
  value: {{ .clientId | quote }}
- name: NASTAVNIK_KEYCLOAK_AUDIENCE
  value: {{ .audience | quote }}
- name: NASTAVNIK_KEYCLOAK_ALLOWED_AZP
  value: {{ .allowedAzp | quote }}
- name: NASTAVNIK_KEYCLOAK_ADMIN_CLIENT_ID
  value: {{ .adminClientId | quote }}
{{- end }}
{{ include "nastavnik.secretEnv" (dict "name" "NASTAVNIK_KEYCLOAK_CLIENT_SECRET" "secret" $secret "key" "keycloak-client-secret" "optional" true) }}
{{ include "nastavnik.secretEnv" (dict "name" "NASTAVNIK_KEYCLOAK_ADMIN_CLIENT_SECRET" "secret" $secret "key" "keycloak-admin-client-secret" "optional" true) }}
{{- if $v.smtp.host }}
- name: NASTAVNIK_SMTP_HOST
  value: {{ $v.smtp.host | quote }}
- name: NASTAVNIK_SMTP_PORT
  value: {{ $v.smtp.port | quote }}
- name: NASTAVNIK_SMTP_STARTTLS
  value: {{ $v.smtp.starttls | quote }}
- name: NASTAVNIK_SMTP_SSL
  value: {{ $v.smtp.ssl | quote }}
{{- with $v.smtp.user }}
- name: NASTAVNIK_SMTP_USER
  value: {{ . | quote }}
{{- end }}
{{- with $v.smtp.from }}
- name: NASTAVNIK_MAIL_FROM
  value: {{ . | quote }}
{{- end }}
{{ include "nastavnik.secretEnv" (dict "name" "NASTAVNIK_SMTP_PASSWORD" "secret" $secret "key" "smtp-password" "optional" true) }}
{{- end }}
{{ include "nastavnik.secretEnv" (dict "name" "NASTAVNIK_METRICS_TOKEN" "secret" $secret "key" "metrics-token" "optional" true) }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The read-only root filesystem's one writable place. */}}
{{- define "nastavnik.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "nastavnik.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "nastavnik.validate" -}}
{{- /* A stopping worker exits within its grace plus 5 s (jobs handed back, connections closed). */ -}}
{{- if le (int .Values.worker.terminationGracePeriodSeconds) (add 5 .Values.worker.shutdownGrace) -}}
{{- fail "worker.terminationGracePeriodSeconds must be above worker.shutdownGrace + 5: Kubernetes would kill the worker while its jobs finish" -}}
{{- end -}}
{{- with .Values.web.autoscaling -}}
{{- if and .enabled (not .targetCPU) (not .targetMemory) -}}
{{- fail "web.autoscaling needs targetCPU or targetMemory" -}}
{{- end -}}
{{- if and .enabled (gt (int .minReplicas) (int .maxReplicas)) -}}
{{- fail "web.autoscaling.minReplicas is above maxReplicas" -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.existingSecret) (not .Values.externalDatabase.existingSecret) -}}
{{- $db := .Values.externalDatabase -}}
{{- range $key := list "password" "appPassword" "auditorPassword" "aggregatorPassword" "provisionerPassword" -}}
{{- if not (index $db $key) -}}
{{- fail (printf "externalDatabase.%s is required when neither existingSecret nor externalDatabase.existingSecret is set" $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
