// xdrsync on Azure Container Apps: one replica, a user-assigned managed identity, HTTP probes on
// /healthz and /readyz, the state on the replica's local disk. See docs/operations.md §3.
// azuredeploy.json is the same template in ARM JSON (scripts/check-deploy.sh keeps them in step).
//
// Deploy into the resource group of the Sentinel workspace (Sentinel Responder is granted there):
//   az deployment group create -g <rg> -f deploy/azure/main.bicep \
//     -p workspaceName=<sentinel-workspace> image=<registry>/xdrsync:<tag> configJson=@xdrsync.json

@description('Name of the container app, its environment and its identity.')
param name string = 'xdrsync'
param location string = resourceGroup().location
@description('The xdrsync image (built from the repository Dockerfile).')
param image string
@description('The Log Analytics workspace with Microsoft Sentinel, in this resource group.')
param workspaceName string
@description('The xdrsync configuration (JSON text). Its "listen" must be "0.0.0.0:9464" for the probes, and its auth blocks kind "managed_identity" with this identity\'s client id.')
@secure()
param configJson string

var port = 9464
// Built-in role: Microsoft Sentinel Responder (read, create and update incidents, add comments).
var sentinelResponderRoleId = '3e150937-b8fe-4cfb-8069-0eaf05ecd056'

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' existing = {
  name: workspaceName
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-identity'
  location: location
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${name}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: name
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      // Single revision mode: an update starts the new revision before the old one stops, so two
      // instances overlap for up to the termination grace period. Twins have deterministic names,
      // so the overlap cannot create duplicates (docs/operations.md).
      activeRevisionsMode: 'Single'
      secrets: [
        {
          name: 'xdrsync-config'
          value: configJson
        }
      ]
    }
    template: {
      terminationGracePeriodSeconds: 30
      containers: [
        {
          name: 'xdrsync'
          image: image
          args: [ '--config', '/etc/xdrsync/xdrsync.json', 'run' ]
          env: [
            {
              name: 'AZURE_CLIENT_ID'
              value: identity.properties.clientId
            }
          ]
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
          volumeMounts: [
            {
              volumeName: 'config'
              mountPath: '/etc/xdrsync'
            }
            {
              volumeName: 'state'
              mountPath: '/var/lib/xdrsync'
            }
          ]
          probes: [
            {
              type: 'Startup'
              httpGet: {
                path: '/healthz'
                port: port
              }
              periodSeconds: 5
              failureThreshold: 24
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/healthz'
                port: port
              }
              periodSeconds: 30
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/readyz'
                port: port
              }
              periodSeconds: 15
              failureThreshold: 3
            }
          ]
        }
      ]
      // Exactly one replica: one writer per state file and per link. Scaling out means sharding
      // the links (deploy/kubernetes), not more replicas of the same configuration.
      scale: {
        minReplicas: 1
        maxReplicas: 1
      }
      volumes: [
        {
          name: 'config'
          storageType: 'Secret'
          secrets: [
            {
              secretRef: 'xdrsync-config'
              path: 'xdrsync.json'
            }
          ]
        }
        {
          // The replica's local disk. The state is a cache that `xdrsync rebuild-state` (or the
          // first cycles) rebuilds from both services; SQLite's WAL must not sit on Azure Files.
          name: 'state'
          storageType: 'EmptyDir'
        }
      ]
    }
  }
}

// On the workspace's resource group, as docs/operations.md §1 says: that covers the workspace and
// its SecurityInsights solution resource.
resource sentinelResponder 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, identity.id, sentinelResponderRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', sentinelResponderRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
