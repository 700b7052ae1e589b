//! Reading the Microsoft Graph responses an admin saved: the files of a folder, their pages, and
//! the parts of each response skuld needs (serde, everything else ignored).
//!
//! Naming convention (docs/import.md): resource `users` is `users.json`, and when Graph pages it,
//! `users.2.json`, `users.3.json`, … in the order the `@odata.nextLink`s were followed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use crate::diagnostics::suggest::did_you_mean;
use crate::source::{SourceFile, Span};

/// Largest response file read (a page of Graph users is a few MB at most).
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A property Graph documents as nullable, read as absent (`null` → the type's default).
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One saved collection response (`{"value": [...], "@odata.nextLink": ...}`).
#[derive(Debug, Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

/// `GET /subscribedSkus`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    /// `skuId`
    pub sku_id: String,
    /// `skuPartNumber`
    #[serde(default)]
    pub sku_part_number: Option<String>,
    /// `prepaidUnits`
    #[serde(default)]
    pub prepaid_units: Option<PrepaidUnits>,
    /// `Enabled`, `Warning`, `Suspended`, `Deleted` or `LockedOut`.
    #[serde(default)]
    pub capability_status: Option<String>,
}

/// `prepaidUnits` of a subscribed SKU.
#[derive(Debug, Clone, Deserialize)]
pub struct PrepaidUnits {
    /// Units that can be assigned.
    #[serde(default)]
    pub enabled: Option<u64>,
    /// Units in the grace period: they still work.
    #[serde(default)]
    pub warning: Option<u64>,
}

/// `GET /directory/subscriptions`: one commercial subscription (`companySubscription`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanySubscription {
    /// `skuId`: the SKU it buys.
    #[serde(default)]
    pub sku_id: Option<String>,
    /// `isTrial`
    #[serde(default)]
    pub is_trial: Option<bool>,
    /// `nextLifecycleDateTime`: renewal or expiry.
    #[serde(default)]
    pub next_lifecycle_date_time: Option<String>,
    /// `Enabled`, `Warning`, `Suspended`, `Deleted` or `LockedOut`.
    #[serde(default)]
    pub status: Option<String>,
}

/// `{skuId, disabledPlans}`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedLicense {
    /// `skuId`
    pub sku_id: String,
    /// Service plan ids switched off in this assignment.
    #[serde(default, deserialize_with = "nullable")]
    pub disabled_plans: Vec<String>,
}

/// `licenseAssignmentState`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseAssignmentState {
    /// `skuId`
    pub sku_id: String,
    /// The group id, `null` for a direct assignment.
    #[serde(default)]
    pub assigned_by_group: Option<String>,
    /// `Active`, `ActiveWithError`, `Disabled` or `Error`.
    #[serde(default)]
    pub state: Option<String>,
    /// `None`, `CountViolation`, …, `Other` (older pages: `Others`); `null` when none.
    #[serde(default)]
    pub error: Option<String>,
    /// Service plan ids switched off in this assignment.
    #[serde(default, deserialize_with = "nullable")]
    pub disabled_plans: Vec<String>,
}

/// `signInActivity` (needs AuditLog.Read.All): Graph writes `""` or `0001-01-01T00:00:00Z`
/// where there was no sign-in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInActivity {
    /// The last successful sign-in (recorded since December 2023).
    #[serde(default)]
    pub last_successful_sign_in_date_time: Option<String>,
    /// The last interactive sign-in attempt.
    #[serde(default)]
    pub last_sign_in_date_time: Option<String>,
    /// The last non-interactive sign-in attempt.
    #[serde(default)]
    pub last_non_interactive_sign_in_date_time: Option<String>,
}

/// `GET /users?$select=...`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// `id`
    pub id: String,
    /// `userPrincipalName`
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// `usageLocation`
    #[serde(default)]
    pub usage_location: Option<String>,
    /// `onPremisesSyncEnabled`: `true`, `false` (no longer synced) or `null` (never synced).
    #[serde(default)]
    pub on_premises_sync_enabled: Option<bool>,
    /// `assignedLicenses`: direct and group licences together.
    #[serde(default)]
    pub assigned_licenses: Option<Vec<AssignedLicense>>,
    /// `licenseAssignmentStates`: one per licence and source.
    #[serde(default)]
    pub license_assignment_states: Option<Vec<LicenseAssignmentState>>,
    /// `Member` or `Guest`.
    #[serde(default)]
    pub user_type: Option<String>,
    /// `accountEnabled`: `false` when the account cannot sign in.
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// `signInActivity` (absent when not selected or not granted).
    #[serde(default)]
    pub sign_in_activity: Option<SignInActivity>,
}

/// A member of a group (`$expand=members($select=id)`).
#[derive(Debug, Clone, Deserialize)]
pub struct Member {
    /// `#microsoft.graph.user`, `#microsoft.graph.group`, …
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    /// `id`
    pub id: String,
}

/// `GET /groups?$select=...&$expand=members`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// `id`
    pub id: String,
    /// `displayName`
    #[serde(default)]
    pub display_name: Option<String>,
    /// `assignedLicenses`
    #[serde(default)]
    pub assigned_licenses: Option<Vec<AssignedLicense>>,
    /// `groupTypes`: `DynamicMembership` marks a dynamic membership group.
    #[serde(default)]
    pub group_types: Option<Vec<String>>,
    /// `members` (direct members; Graph's `$expand` returns at most 20 of them).
    #[serde(default)]
    pub members: Option<Vec<Member>>,
    /// Present when the expanded members were cut short.
    #[serde(rename = "members@odata.nextLink", default)]
    pub members_next_link: Option<String>,
}

/// `GET /organization`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// `displayName`
    #[serde(default)]
    pub display_name: Option<String>,
    /// `countryLetterCode`
    #[serde(default)]
    pub country_letter_code: Option<String>,
    /// `verifiedDomains`
    #[serde(default, deserialize_with = "nullable")]
    pub verified_domains: Vec<VerifiedDomain>,
}

/// One of the organization's `verifiedDomains`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    /// `contoso.onmicrosoft.com`
    #[serde(default)]
    pub name: Option<String>,
    /// True for the `*.onmicrosoft.com` domain the tenant was created with.
    #[serde(default, deserialize_with = "nullable")]
    pub is_initial: bool,
}

/// `GET /identity/conditionalAccess/policies`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalAccessPolicy {
    /// `id`
    pub id: String,
    /// `displayName`
    #[serde(default)]
    pub display_name: Option<String>,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
    #[serde(default)]
    pub state: Option<String>,
    /// `conditions`
    #[serde(default)]
    pub conditions: Option<CaConditions>,
}

/// `conditionalAccessConditionSet`: the parts skuld maps.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaConditions {
    /// `users`
    #[serde(default)]
    pub users: Option<CaUsers>,
    /// `userRiskLevels`: non-empty makes the policy an Identity Protection one.
    #[serde(default)]
    pub user_risk_levels: Option<Vec<String>>,
    /// `signInRiskLevels`: non-empty makes the policy an Identity Protection one.
    #[serde(default)]
    pub sign_in_risk_levels: Option<Vec<String>>,
}

/// `conditionalAccessUsers`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaUsers {
    /// User ids, `All`, `None` or `GuestsOrExternalUsers`.
    #[serde(default)]
    pub include_users: Option<Vec<String>>,
    /// User ids excluded.
    #[serde(default)]
    pub exclude_users: Option<Vec<String>>,
    /// Group ids included (members at any nesting depth).
    #[serde(default)]
    pub include_groups: Option<Vec<String>>,
    /// Group ids excluded (exclusion wins).
    #[serde(default)]
    pub exclude_groups: Option<Vec<String>>,
    /// Directory role template ids included.
    #[serde(default)]
    pub include_roles: Option<Vec<String>>,
    /// Directory role template ids excluded.
    #[serde(default)]
    pub exclude_roles: Option<Vec<String>>,
}

/// `unifiedRoleEligibilitySchedule`, `unifiedRoleEligibilityScheduleInstance` and PIM for
/// Groups' `privilegedAccessGroupEligibilitySchedule` / `…AssignmentSchedule`: who is eligible
/// or assigned, and until when.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleEligibility {
    /// A user or a group.
    #[serde(default)]
    pub principal_id: Option<String>,
    /// A schedule's period (`expiration.endDateTime`).
    #[serde(default)]
    pub schedule_info: Option<ScheduleInfo>,
    /// An instance's end (`null`: no end).
    #[serde(default)]
    pub end_date_time: Option<String>,
}

/// `requestSchedule`: the parts that say when it ends.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleInfo {
    /// `expirationPattern`
    #[serde(default)]
    pub expiration: Option<Expiration>,
}

/// `expirationPattern`: `noExpiration`, `afterDateTime` (with `endDateTime`) or `afterDuration`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Expiration {
    /// When the schedule ends.
    #[serde(default)]
    pub end_date_time: Option<String>,
}

impl RoleEligibility {
    /// The date (`YYYY-MM-DD`) the schedule or instance ends, if it ends.
    pub fn ends(&self) -> Option<&str> {
        self.end_date_time
            .as_deref()
            .or_else(|| {
                self.schedule_info
                    .as_ref()?
                    .expiration
                    .as_ref()?
                    .end_date_time
                    .as_deref()
            })
            .and_then(date_part)
    }
}

/// The `YYYY-MM-DD` of a Graph `DateTimeOffset`; `None` for `""` and Graph's "never" value
/// `0001-01-01T00:00:00Z`.
pub fn date_part(t: &str) -> Option<&str> {
    let d = t.trim().get(..10)?;
    let b = d.as_bytes();
    let shaped = b.iter().enumerate().all(|(i, c)| {
        if i == 4 || i == 7 {
            *c == b'-'
        } else {
            c.is_ascii_digit()
        }
    });
    (shaped && !d.starts_with("0001-")).then_some(d)
}

/// `accessReviewScheduleDefinition`: the parts skuld maps.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessReviewDefinition {
    /// `id`
    pub id: String,
    /// `displayName`
    #[serde(default)]
    pub display_name: Option<String>,
    /// `NotStarted`, `InProgress`, `Completed`, …
    #[serde(default)]
    pub status: Option<String>,
    /// Whose access is reviewed.
    #[serde(default)]
    pub scope: Option<AccessReviewScope>,
    /// The resources reviewed when `scope` is relative to them (`./members`).
    #[serde(default)]
    pub instance_enumeration_scope: Option<AccessReviewScope>,
    /// Who reviews.
    #[serde(default)]
    pub reviewers: Option<Vec<AccessReviewScope>>,
}

/// `accessReviewScope` / `accessReviewReviewerScope`: a Graph query naming users or groups.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessReviewScope {
    /// `/groups/{id}/transitiveMembers`, `./members`, `/users/{id}`, `./manager`, ….
    #[serde(default)]
    pub query: Option<String>,
}

/// The optional responses that give the `features:` block; `None` when not saved.
#[derive(Debug, Default)]
pub struct FeatureResponses {
    /// `conditionalAccessPolicies*.json`
    pub conditional_access: Option<Collection<ConditionalAccessPolicy>>,
    /// `roleEligibilitySchedules*.json`
    pub role_eligibility_schedules: Option<Collection<RoleEligibility>>,
    /// `roleEligibilityScheduleInstances*.json`
    pub role_eligibility_instances: Option<Collection<RoleEligibility>>,
    /// `accessReviewDefinitions*.json`
    pub access_reviews: Option<Collection<AccessReviewDefinition>>,
    /// `pimGroupEligibilitySchedules*.json` (PIM for Groups)
    pub group_eligibility: Option<Collection<RoleEligibility>>,
    /// `pimGroupAssignmentSchedules*.json` (PIM for Groups)
    pub group_assignments: Option<Collection<RoleEligibility>>,
}

/// A resource read from all its pages, with the file each item came from.
#[derive(Debug)]
pub struct Collection<T> {
    /// Items in page order, each with the index of its file in `files`.
    pub items: Vec<(T, usize)>,
    /// The page files, in order.
    pub files: Vec<SourceFile>,
}

/// The four resources of an import.
#[derive(Debug)]
pub struct Responses {
    /// `subscribedSkus*.json`
    pub skus: Collection<SubscribedSku>,
    /// `users*.json`
    pub users: Collection<User>,
    /// `groups*.json`
    pub groups: Collection<Group>,
    /// `organization*.json`
    pub organization: Collection<Organization>,
    /// `subscriptions*.json` (`GET /directory/subscriptions`), optional.
    pub subscriptions: Option<Collection<CompanySubscription>>,
    /// `members/<group id>*.json`: the full member lists of groups, by group id.
    pub members: BTreeMap<String, Collection<Member>>,
    /// The optional responses of the `features:` block.
    pub features: FeatureResponses,
}

/// One Graph request of the import: the file its response is saved as, the request, and the
/// permission it needs. docs/import.md lists exactly these (a test compares), `--live` sends
/// them, and the help for a missing file names them.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    /// File stem: `users` is saved as `users.json`, `users.2.json`, ….
    pub name: &'static str,
    /// Path and query below the Graph root, e.g. `/v1.0/users?$select=…`.
    pub path: &'static str,
    /// The least privileged application permission that reads it.
    pub permission: &'static str,
    /// `--live` sends it (PIM for Groups needs one request per group: saved by hand only).
    pub live: bool,
}

impl Request {
    /// `GET https://graph.microsoft.com/v1.0/…`, as docs/import.md shows it.
    pub fn shown(&self) -> String {
        format!("GET https://graph.microsoft.com{}", self.path)
    }
}

/// The four responses every import needs.
pub const RESOURCES: [Request; 4] = [
    Request {
        name: "organization",
        path: "/v1.0/organization?$select=displayName,countryLetterCode,verifiedDomains",
        permission: "Organization.Read.All",
        live: true,
    },
    Request {
        name: "subscribedSkus",
        path: "/v1.0/subscribedSkus?$select=skuId,skuPartNumber,prepaidUnits,capabilityStatus",
        permission: "Organization.Read.All",
        live: true,
    },
    Request {
        name: "users",
        path: "/v1.0/users?$select=id,userPrincipalName,userType,accountEnabled,usageLocation,onPremisesSyncEnabled,assignedLicenses,licenseAssignmentStates,signInActivity&$top=999",
        permission: "User.Read.All",
        live: true,
    },
    Request {
        name: "groups",
        path: "/v1.0/groups?$select=id,displayName,groupTypes,assignedLicenses&$expand=members($select=id)",
        permission: "GroupMember.Read.All",
        live: true,
    },
];

/// The `users` request without `signInActivity`, sent when Graph refuses that property (it
/// needs AuditLog.Read.All, and a tenant with Entra ID P1).
pub const USERS_WITHOUT_SIGN_IN: &str = "/v1.0/users?$select=id,userPrincipalName,userType,accountEnabled,usageLocation,onPremisesSyncEnabled,assignedLicenses,licenseAssignmentStates&$top=999";

/// Responses that may be absent: what they give is left out, with a note.
pub const OPTIONAL_RESOURCES: [Request; 7] = [
    Request {
        name: "subscriptions",
        path: "/v1.0/directory/subscriptions?$select=skuId,isTrial,nextLifecycleDateTime,status",
        permission: "Organization.Read.All",
        live: true,
    },
    Request {
        name: "conditionalAccessPolicies",
        path: "/v1.0/identity/conditionalAccess/policies",
        permission: "Policy.Read.All",
        live: true,
    },
    Request {
        name: "roleEligibilitySchedules",
        path: "/v1.0/roleManagement/directory/roleEligibilitySchedules",
        permission: "RoleEligibilitySchedule.Read.Directory",
        live: true,
    },
    Request {
        name: "roleEligibilityScheduleInstances",
        path: "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances",
        permission: "RoleEligibilitySchedule.Read.Directory",
        live: true,
    },
    Request {
        name: "accessReviewDefinitions",
        path: "/v1.0/identityGovernance/accessReviews/definitions",
        permission: "AccessReview.Read.All",
        live: true,
    },
    Request {
        name: "pimGroupEligibilitySchedules",
        path: "/v1.0/identityGovernance/privilegedAccess/group/eligibilitySchedules?$filter=groupId eq '{group id}'",
        permission: "PrivilegedEligibilitySchedule.Read.AzureADGroup",
        live: false,
    },
    Request {
        name: "pimGroupAssignmentSchedules",
        path: "/v1.0/identityGovernance/privilegedAccess/group/assignmentSchedules?$filter=groupId eq '{group id}'",
        permission: "PrivilegedAssignmentSchedule.Read.AzureADGroup",
        live: false,
    },
];

/// The request saved as `name`.
pub fn request_named(name: &str) -> Option<&'static Request> {
    RESOURCES
        .iter()
        .chain(OPTIONAL_RESOURCES.iter())
        .find(|r| r.name == name)
}

/// An error that stops the import (exit code 2).
#[derive(Debug, Error, Diagnostic)]
pub enum ReadError {
    /// The folder does not exist or is not a folder.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Folder(#[from] NotAFolder),
    /// A required response file is absent.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Missing(#[from] MissingFile),
    /// A file could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Io(#[from] IoError),
    /// A file is not JSON, or not the shape of the response.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Json(#[from] BadJson),
    /// The last page still links to a next one.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Pages(#[from] MissingPages),
}

/// The folder to import does not exist or is not a folder.
#[derive(Debug, Error, Diagnostic)]
#[error("`{path}` is not a folder of Microsoft Graph responses: {reason}")]
#[diagnostic(
    code("skuld::import::not-a-folder"),
    help(
        "save the responses (`organization.json`, `subscribedSkus.json`, `users.json`, `groups.json`) in one folder and name it; see docs/import.md"
    )
)]
pub struct NotAFolder {
    path: String,
    reason: String,
}

/// A required response file is absent.
#[derive(Debug, Error, Diagnostic)]
#[error("`{folder}` has no `{file}`")]
#[diagnostic(code("skuld::import::missing-file"))]
pub struct MissingFile {
    folder: String,
    file: String,
    #[help]
    help: String,
}

/// A file could not be read.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot read `{path}`: {reason}")]
#[diagnostic(code(skuld::io))]
pub struct IoError {
    path: String,
    reason: String,
}

/// A file is not JSON, or not the shape of the Graph response.
#[derive(Debug, Error, Diagnostic)]
#[error("`{file}` is not a Microsoft Graph `{resource}` response: {reason}")]
#[diagnostic(code("skuld::import::json"))]
pub struct BadJson {
    file: String,
    resource: String,
    reason: String,
    #[source_code]
    src: SourceFile,
    #[label("here")]
    span: Option<Span>,
    #[help]
    help: String,
}

/// The last page of a resource still has an `@odata.nextLink`: pages are missing.
#[derive(Debug, Error, Diagnostic)]
#[error(
    "`{file}` is the last page of `{resource}` saved, but links to a next page: pages are missing"
)]
#[diagnostic(code("skuld::import::missing-pages"))]
pub struct MissingPages {
    file: String,
    resource: String,
    #[source_code]
    src: SourceFile,
    #[label("Graph has more results")]
    span: Option<Span>,
    #[help]
    help: String,
}

/// Reads the four resources from `dir`; every error found, not just the first.
pub fn read(dir: &Path) -> Result<Responses, Vec<ReadError>> {
    let shown = dir.display().to_string();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            let reason = if dir.exists() {
                if dir.is_dir() {
                    e.to_string()
                } else {
                    "it is a file".to_owned()
                }
            } else {
                "no such folder".to_owned()
            };
            return Err(vec![
                NotAFolder {
                    path: shown,
                    reason,
                }
                .into(),
            ]);
        }
    };
    let names = file_names(entries);

    let mut errors = Vec::new();
    let skus = collection(dir, &names, "subscribedSkus", &mut errors);
    let users = collection(dir, &names, "users", &mut errors);
    let groups = collection(dir, &names, "groups", &mut errors);
    let organization = collection(dir, &names, "organization", &mut errors);
    // Optional: absent files leave the features they give out of the tenant.
    let features = FeatureResponses {
        conditional_access: optional_collection(
            dir,
            &names,
            "conditionalAccessPolicies",
            &mut errors,
        ),
        role_eligibility_schedules: optional_collection(
            dir,
            &names,
            "roleEligibilitySchedules",
            &mut errors,
        ),
        role_eligibility_instances: optional_collection(
            dir,
            &names,
            "roleEligibilityScheduleInstances",
            &mut errors,
        ),
        access_reviews: optional_collection(dir, &names, "accessReviewDefinitions", &mut errors),
        group_eligibility: optional_collection(
            dir,
            &names,
            "pimGroupEligibilitySchedules",
            &mut errors,
        ),
        group_assignments: optional_collection(
            dir,
            &names,
            "pimGroupAssignmentSchedules",
            &mut errors,
        ),
    };
    let subscriptions = optional_collection(dir, &names, "subscriptions", &mut errors);
    // Optional: full member lists of groups too large for `$expand`, one resource per group id.
    let mut members = BTreeMap::new();
    let members_dir = dir.join("members");
    // Not through a link: `members -> /somewhere` would read files outside the export.
    let real_folder = members_dir
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_dir());
    if members_dir.exists() && !real_folder {
        errors.push(
            NotAFolder {
                path: members_dir.display().to_string(),
                reason: "it is a link or not a folder; only a real folder of the export is read"
                    .to_owned(),
            }
            .into(),
        );
    }
    if real_folder && let Ok(entries) = std::fs::read_dir(&members_dir) {
        let names = file_names(entries);
        // Each group's own files, grouped in one pass: thousands of groups must not each
        // filter every file name of the folder.
        let mut by_id: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for n in names.iter().filter(|n| n.ends_with(".json")) {
            if let Some(id) = n.split('.').next() {
                by_id.entry(id).or_default().push(n.clone());
            }
        }
        for (id, own) in by_id {
            if let Some(c) = collection(&members_dir, &own, id, &mut errors) {
                members.insert(id.to_owned(), c);
            }
        }
    }
    match (skus, users, groups, organization) {
        (Some(skus), Some(users), Some(groups), Some(organization)) if errors.is_empty() => {
            Ok(Responses {
                skus,
                users,
                groups,
                organization,
                subscriptions,
                members,
                features,
            })
        }
        _ => Err(errors),
    }
}

/// The names of the files in a folder, sorted.
fn file_names(entries: std::fs::ReadDir) -> Vec<String> {
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// The page number of `file` for `resource`: `users.json` is 1, `users.7.json` is 7.
fn page_number(resource: &str, file: &str) -> Option<u32> {
    let rest = file.strip_prefix(resource)?.strip_prefix('.')?;
    let middle = rest.strip_suffix("json")?;
    if middle.is_empty() {
        return Some(1);
    }
    let n = middle.strip_suffix('.')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
        return None;
    }
    n.parse().ok().filter(|&n| n >= 2)
}

/// A resource that may be absent: `None` without an error when no page of it is saved.
fn optional_collection<T: DeserializeOwned>(
    dir: &Path,
    names: &[String],
    resource: &str,
    errors: &mut Vec<ReadError>,
) -> Option<Collection<T>> {
    names
        .iter()
        .any(|n| page_number(resource, n).is_some())
        .then(|| collection(dir, names, resource, errors))
        .flatten()
}

fn collection<T: DeserializeOwned>(
    dir: &Path,
    names: &[String],
    resource: &str,
    errors: &mut Vec<ReadError>,
) -> Option<Collection<T>> {
    let mut pages: Vec<(u32, &String)> = names
        .iter()
        .filter_map(|n| page_number(resource, n).map(|p| (p, n)))
        .collect();
    pages.sort();
    let url = request(resource);
    if pages.first().is_none_or(|(p, _)| *p != 1) {
        let json: Vec<&str> = names
            .iter()
            .filter(|n| n.ends_with(".json"))
            .map(String::as_str)
            .collect();
        let file = format!("{resource}.json");
        let mut help = format!("save the response of `{url}` as `{file}`");
        if dir
            .join(&file)
            .symlink_metadata()
            .is_ok_and(|m| !m.is_file())
        {
            // Links are not followed: a link out of the export would read any file.
            help = format!(
                "`{file}` is there but is a link (or not a regular file): only regular files of \
                 the export are read; copy the response in"
            );
        } else if let Some(d) = did_you_mean(&file, json.iter().copied()) {
            help = format!("{d} (the files must be named as docs/import.md says); else {help}");
        }
        errors.push(
            MissingFile {
                folder: dir.display().to_string(),
                file,
                help,
            }
            .into(),
        );
        return None;
    }
    let mut out = Collection {
        items: Vec::new(),
        files: Vec::new(),
    };
    let mut ok = true;
    let last = pages.len();
    for (i, (number, name)) in pages.iter().enumerate() {
        let expected = i as u32 + 1;
        if *number != expected {
            errors.push(
                MissingFile {
                    folder: dir.display().to_string(),
                    file: format!("{resource}.{expected}.json"),
                    help: format!(
                        "`{name}` is there, so page {expected} of `{resource}` is missing: save every page, following each `@odata.nextLink`"
                    ),
                }
                .into(),
            );
            return None;
        }
        let path: PathBuf = dir.join(name);
        let shown = path.display().to_string();
        let src = match read_text(&path) {
            Ok(text) => SourceFile::new(shown.clone(), text),
            Err(reason) => {
                errors.push(
                    IoError {
                        path: shown,
                        reason,
                    }
                    .into(),
                );
                ok = false;
                continue;
            }
        };
        // A byte-order mark (PowerShell 5's `-Encoding utf8` writes one) is not JSON.
        let bom = if src.text().starts_with('\u{FEFF}') {
            3
        } else {
            0
        };
        match serde_json::from_str::<Page<T>>(src.text().get(bom..).unwrap_or("")) {
            Ok(page) => {
                if i + 1 == last && page.next_link.is_some() {
                    let span = find(&src, "\"@odata.nextLink\"").filter(|s| showable(&src, *s));
                    errors.push(
                        MissingPages {
                            file: shown,
                            resource: resource.to_owned(),
                            src: src.clone(),
                            span,
                            help: format!(
                                "fetch the `@odata.nextLink` URL and save the result as `{resource}.{}.json`; repeat until a page has no `@odata.nextLink`",
                                number + 1
                            ),
                        }
                        .into(),
                    );
                    ok = false;
                }
                let file = out.files.len();
                out.items
                    .extend(page.value.into_iter().map(|item| (item, file)));
            }
            Err(e) => {
                errors.push(bad_json(&src, bom, shown, resource, &e).into());
                ok = false;
            }
        }
        out.files.push(src);
    }
    ok.then_some(out)
}

fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "the file has {} bytes, more than the limit of {MAX_FILE_BYTES}",
            meta.len()
        ));
    }
    let cap = usize::try_from(MAX_FILE_BYTES).unwrap_or(usize::MAX);
    let bytes = std::fs::File::open(path)
        .and_then(|f| crate::inputs::guard::read_capped(f, cap))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("the file has more than the limit of {MAX_FILE_BYTES} bytes"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// How to save a resource: its Graph request.
fn request(resource: &str) -> String {
    match request_named(resource) {
        Some(r) => r.shown(),
        // A file of `members/`: the resource is a group id.
        None => {
            format!("GET https://graph.microsoft.com/v1.0/groups/{resource}/members?$select=id")
        }
    }
}

fn bad_json(
    src: &SourceFile,
    bom: usize,
    file: String,
    resource: &str,
    e: &serde_json::Error,
) -> BadJson {
    use serde_json::error::Category;
    // serde_json counts from the end of the byte-order mark, on the first line only.
    let skip = if e.line() == 1 { bom } else { 0 };
    let offset = offset_of(src, e.line(), e.column()) + skip;
    let end = src
        .text()
        .get(offset..)
        .and_then(|r| r.chars().next())
        .map_or(offset, |c| offset + c.len_utf8());
    let help = match e.classify() {
        Category::Syntax | Category::Eof => {
            "the file must be the response body exactly as Graph returned it (JSON)".to_owned()
        }
        Category::Data => format!(
            "a collection response is `{{\"value\": [...]}}`; save the body of `{}`",
            request(resource)
        ),
        Category::Io => "read the file again".to_owned(),
    };
    // serde_json appends " at line L column C": the label shows the place instead, unless the
    // line is too long to show.
    let span = Some(Span::new(offset, end)).filter(|s| showable(src, *s));
    let message = e.to_string();
    let reason = match span {
        Some(_) => message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_owned(),
        None => message,
    };
    BadJson {
        file,
        resource: resource.to_owned(),
        reason,
        src: src.clone(),
        span,
        help,
    }
}

/// Byte offset of serde_json's 1-based line and column (a column counts bytes; 0 means the
/// line's end before its first byte was read).
fn offset_of(src: &SourceFile, line: usize, column: usize) -> usize {
    let text = src.text();
    let mut start = 0;
    for _ in 1..line {
        match text.get(start..).and_then(|r| r.find('\n')) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Longest line shown in a snippet: minified JSON (as `Invoke-MgGraphRequest -OutputType Json`
/// writes it) is one line of megabytes, which a snippet cannot show (and miette's renderer
/// does not survive).
const MAX_SHOWN_LINE: usize = 2000;

/// Whether the line(s) around `span` are short enough to show in a snippet.
pub(crate) fn showable(src: &SourceFile, span: Span) -> bool {
    // Line look-ups, not scans: a minified file with thousands of warnings asks this for each.
    let (start, _) = src.line_bounds(span.start as usize);
    let (_, end) = src.line_bounds(span.end as usize);
    end.saturating_sub(start) <= MAX_SHOWN_LINE
}

/// The span of the first occurrence of `needle` in the file.
pub(crate) fn find(src: &SourceFile, needle: &str) -> Option<Span> {
    src.text()
        .find(needle)
        .map(|i| Span::new(i, i + needle.len()))
}

#[cfg(test)]
mod tests {
    use super::page_number;

    #[test]
    fn page_numbers_follow_the_naming_convention() {
        assert_eq!(page_number("users", "users.json"), Some(1));
        assert_eq!(page_number("users", "users.2.json"), Some(2));
        assert_eq!(page_number("users", "users.12.json"), Some(12));
        assert_eq!(page_number("users", "users.1.json"), None);
        assert_eq!(page_number("users", "users.02.json"), None);
        assert_eq!(page_number("users", "users.x.json"), None);
        assert_eq!(page_number("users", "usersx.json"), None);
        assert_eq!(page_number("users", "users.json.bak"), None);
        assert_eq!(page_number("groups", "users.json"), None);
    }
}
