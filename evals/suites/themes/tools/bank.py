# Finding bank: theme[,theme2] | sign | text   (sign: + positive, - concern, ! concern that may be a priority action)
BANK = r"""
out_of_hours|+|Families who contact the council at night or at weekends receive a prompt and well-informed response from the emergency duty team.
out_of_hours|+|The emergency duty service is well resourced and shares information with the daytime teams first thing each morning, so that urgent work is picked up without delay.
out_of_hours|+|Cover outside normal office hours is provided by an experienced group of social workers who have good access to senior managers when they need advice.
out_of_hours|-|Emergency duty arrangements outside office hours are poorly linked to the day teams, and handover information is sometimes not received until several days later.
out_of_hours|!|The out-of-hours service is staffed by a single worker across a large geographical area, and inspectors were not assured that it can respond safely to more than one urgent referral at a time.
out_of_hours|-|Referrals taken by the EDT overnight are not always entered on the electronic system, so day staff are unaware of action already taken.
out_of_hours|+|The joint out of hours arrangement with neighbouring authorities works well and there are clear protocols for escalating concerns to a manager on call.
out_of_hours|-|There is no written protocol setting out how work should pass between the evening and weekend service and the referral and assessment team.
out_of_hours|+|Social workers on the night-time rota can see the same case information as daytime colleagues, which enables well-informed decisions when offices are closed.
out_of_hours|!|Calls received out of hours about children at risk are not consistently passed to the day service by the next working day.
children_seen|+|All children who are the subject of an initial assessment are seen by a social worker.
children_seen|-|In a small number of the cases sampled, assessments were completed without the child having been visited.
children_seen|!|Inspectors found initial assessments that had been completed although there was no evidence on file that the child had been seen.
children_seen|+|Social workers visit children promptly once a referral is accepted, and home visits take place within the expected timescales.
children_seen|-|Younger children and babies are not always seen by the assessing social worker, with information instead gathered from parents and health visitors.
children_seen,child_protection_enquiries|+|Children and young people are seen as part of every child protection enquiry, including the siblings of the referred child.
children_seen|!|Some children had not been seen for several weeks after referral, and in two cases not at all, before decisions were taken about their circumstances.
children_seen|+|Direct contact with the child is made in all assessments, and inspectors saw good examples of workers observing young children at home with their parents.
children_seen_alone|+|Children are routinely seen on their own by social workers, and this is clearly noted on file.
children_seen_alone|-|Records do not show whether children were spoken to without their parents present.
children_seen_alone|!|Few of the children in the cases sampled had been seen alone during child protection enquiries, even where the allegation concerned a parent.
children_seen_alone|+|Older children are given the opportunity to talk privately with their social worker, away from their carers, as part of every assessment.
children_seen_alone|-|Social workers do not consistently speak to children alone, and the reasons for not doing so are not recorded.
children_seen_alone|+|Practitioners make good use of visits to schools to see young people away from home and on their own.
children_seen_alone|+|Seeing children alone is now embedded in practice and is checked by team managers before an assessment is completed.
initial_assessment_timeliness|+|Initial assessments are completed within seven working days in the large majority of cases.
initial_assessment_timeliness|-|The timeliness of initial assessments is poor and has declined over the past year.
initial_assessment_timeliness|!|A significant number of initial assessments are out of timescale, leaving some children waiting for help.
initial_assessment_timeliness|+|Performance on completing initial assessments on time is good and compares well with similar authorities.
initial_assessment_timeliness|-|Too many initial assessments take longer than the seven working day target, particularly in the east area team.
initial_assessment_timeliness|+|Timescales for initial assessments are consistently met.
initial_assessment_timeliness|-|Delays in finishing initial assessments mean that families are not offered services as quickly as they should be.
initial_assessment_timeliness|+|Most initial assessments are finished promptly, and the few that run over are tracked weekly.
initial_assessment_timeliness|-|Although improving, the proportion of initial assessments completed within timescale remains below that of comparable councils.
initial_assessment_timeliness|+|Almost all initial assessments are now completed within the required seven days.
core_assessment_timeliness|+|Core assessments are completed within 35 working days in almost all cases.
core_assessment_timeliness|-|Core assessments are frequently completed late, and some had been open for several months.
core_assessment_timeliness|+|The council has sustained good performance in completing core assessments within timescales.
core_assessment_timeliness|!|Core assessments are significantly delayed and there is no effective system to ensure that they are completed.
core_assessment_timeliness|+|Core assessments are undertaken promptly once the need for one is identified.
core_assessment_timeliness|-|In-depth assessments following section 47 enquiries often take well beyond the expected 35 working days.
core_assessment_timeliness|+|Nearly all core assessments are now concluded on time, reflecting a marked improvement over the last year.
supervision|+|Staff receive regular formal supervision, which is recorded and of good quality.
supervision|-|Supervision is not always regular, and records of supervision are brief, with little evidence of reflective discussion.
supervision|!|Several social workers had not received formal supervision for more than three months.
supervision|+|Social workers describe supervision as reflective and challenging, and it takes place at least monthly.
supervision,case_recording|-|Supervision notes are not placed on children's case files, so the reasons for decisions agreed in supervision are not visible.
supervision|+|One-to-one supervision sessions are held to schedule and include discussion of professional development as well as casework.
supervision|-|The frequency of supervision varies considerably between teams and falls short of the council's own standard.
supervision|+|All staff spoken to had had supervision within the last month, and the records seen were detailed and up to date.
management_oversight|+|Managers provide effective oversight of casework, and their decisions are clearly recorded on case files.
management_oversight|-|Management sign-off of assessments is inconsistent, and the rationale for decisions is often absent.
management_oversight|!|There is insufficient management oversight of cases held on duty, and some decisions to take no further action had not been endorsed by a manager.
management_oversight|+|Team managers scrutinise every referral and authorise the next steps within 24 hours.
management_oversight|-|Direction given informally by managers, for example in conversations in the office, is rarely written up on the child's record.
management_oversight|+|Senior managers maintain a clear line of sight over high-risk cases through a weekly review meeting.
management_oversight|-|It is not evident from files that managers have checked the quality of assessments before they are authorised.
management_oversight|+|Management decisions are timely and visible on the electronic record, with clear instructions to workers.
management_oversight|!|Manager authorisation of key decisions is frequently missing from records, so it is unclear who agreed the plan for the child.
management_oversight|+|Practice leaders and team managers countersign all initial assessments and record their reasoning.
vacancies_recruitment|-|There are a number of vacant social work posts in the assessment teams which are not covered.
vacancies_recruitment|+|The service is fully staffed, and a successful recruitment campaign has filled all social worker posts.
vacancies_recruitment|!|High vacancy rates in the referral and assessment service are having a direct impact on the council's ability to respond to referrals.
vacancies_recruitment|+|Retention of experienced social workers is good and turnover has fallen.
vacancies_recruitment|-|The council continues to find it difficult to recruit qualified social workers, and two team manager posts have been vacant for some months.
vacancies_recruitment|+|A grow-your-own scheme for trainee social workers has helped the council to recruit and keep staff.
vacancies_recruitment|-|Staff turnover in the duty team is high, and several experienced workers have left in the past six months.
vacancies_recruitment|+|Recruitment has been strengthened through a rolling advertising campaign and a market supplement, and there are now few vacancies.
vacancies_recruitment|!|The team is short of social workers, with a third of posts unfilled at the time of the inspection.
vacancies_recruitment,agency_staff|+|Vacancies have fallen sharply and the service now has a stable, permanent workforce.
caseloads_workloads|+|Social workers have manageable caseloads, which are monitored by team managers.
caseloads_workloads|-|Caseloads in the initial response team are high, and staff report that they cannot always complete work to the standard they would wish.
caseloads_workloads|!|Workloads are unmanageable for some staff, with individual social workers holding more than 30 cases.
caseloads_workloads|+|Caseload numbers are kept at a level agreed with staff, and a weighting tool ensures that work is fairly distributed.
caseloads_workloads|-|The volume of work coming into the duty service places considerable pressure on staff.
caseloads_workloads|+|Workers told inspectors that their workloads are reasonable and allow time for direct work with children.
caseloads_workloads|-|Caseload sizes vary widely between workers and there is no system to balance them.
caseloads_workloads|+|Workload management is effective, and the number of cases held by each worker has reduced over the year.
caseloads_workloads|-|Newly qualified social workers are carrying caseloads that are too high for their level of experience.
thresholds|+|Thresholds for access to children's social care are clear and understood by partner agencies.
thresholds|!|Partner agencies do not have a consistent understanding of the thresholds for referral, which leads to a high number of inappropriate referrals and delays for children who need help.
thresholds|+|The threshold document, agreed with the local safeguarding children board, is applied consistently by duty staff.
thresholds|-|Thresholds are applied inconsistently between the two area teams.
thresholds|!|Thresholds for a child protection response are set too high, and some referrals that indicated significant harm were dealt with as requests for family support.
thresholds|+|There is a shared understanding across agencies of the level of need at which children's social care will become involved.
thresholds|-|The eligibility criteria for social care services have not been revised since the reorganisation and are not well known among schools.
thresholds|+|Criteria for accepting referrals are well established, and referrers said they know what to expect.
thresholds|-|Some health professionals told inspectors they were unclear about when a concern should be passed to social care.
thresholds,screening_decisions|+|Decisions about whether referrals meet the threshold for an assessment are appropriate and consistent.
service_user_feedback|+|The council actively seeks the views of families about the service they receive, and this has led to changes in practice.
service_user_feedback|-|While feedback from service users is collected, it is not analysed or used to improve services.
service_user_feedback|+|Parents and young people complete a short questionnaire at the end of each assessment, and the results are reported to senior managers each quarter.
service_user_feedback|-|There are no arrangements for obtaining the views of children and families about their experience of the assessment service.
service_user_feedback|+|Families' comments on their contact with the service are collected and have informed the redesign of the leaflet given to parents.
service_user_feedback|-|Little is done to find out what parents and carers think of the help they get.
service_user_feedback|+|A young people's panel has reviewed the way the referral and assessment service communicates with families.
childs_voice|+|The wishes and feelings of children are clearly recorded in assessments.
childs_voice|-|Assessments do not consistently reflect the views of the child.
childs_voice|+|Children's own accounts of their experience are captured well and inform the plans made for them.
childs_voice|-|The voice of the child is often missing from case records, particularly for very young children.
childs_voice|+|Workers use age-appropriate tools to help children express what they want, and this is evident in assessment reports.
childs_voice|!|Children's views are absent from most of the assessments sampled, so it is not clear that their needs have been understood.
childs_voice|+|Young people are consulted about decisions affecting them, and what they say is set out in their own words.
police_notifications|+|Police notifications of domestic violence incidents are screened promptly and appropriately.
police_notifications|-|There is a backlog of police notifications awaiting screening.
police_notifications|!|Police notifications concerning children in households where domestic abuse has occurred are not being screened within agreed timescales, and some had not been looked at for several weeks.
police_notifications|+|A joint police and social care screening arrangement ensures that reports from the police about incidents involving children are considered the same day.
police_notifications|-|The process for handling police referrals about domestic incidents is not clear, and decisions on them are not always recorded.
police_notifications|+|Notifications from the police are reviewed daily by a senior practitioner, and decisions on them are timely.
police_notifications,it_systems|-|Police notifications arrive at the contact centre on paper, and there are delays in entering them onto the electronic system.
morale|+|Staff morale is high, and social workers feel well supported by their managers.
morale|-|Morale in the referral and assessment team is low, and staff feel undervalued.
morale|+|Social workers spoke positively about working for the council and said they feel valued.
morale|-|Staff report feeling stressed and unsupported, and sickness absence is high.
morale|+|Staff morale is good, and workers value the team's weekly meeting where workloads and difficult cases are talked through together.
morale|-|Recent restructuring has unsettled staff and morale has fallen.
morale|+|Despite considerable change in the service, the staff group is positive and committed.
case_recording|+|Case records are up to date and of good quality.
case_recording|-|Case files are not always up to date, and in some cases key information, such as details of other household members, was missing.
case_recording|+|Recording is clear, concise and completed promptly after contact with families.
case_recording|-|The quality of recording is variable, and some case notes were written up weeks after the event.
case_recording|+|Electronic case files are well maintained, and it is easy to follow the history of involvement with each family.
case_recording|!|Case records are so poorly maintained that in several cases it was not possible to establish what action had been taken to protect children.
case_recording|+|The standard of case recording has improved and files are now comprehensive.
contacts_referrals|+|Processes for receiving and prioritising contacts and referrals are robust and timely.
contacts_referrals|+|The contact centre handles calls efficiently, and information is passed to the duty team without delay.
contacts_referrals|+|Referrals are acknowledged promptly and are recorded accurately at the point of contact.
contacts_referrals|-|Contacts are not always recorded consistently at the front door, and it is difficult to track what has happened to some of them.
contacts_referrals|+|Arrangements for taking referrals are clear, with a single point of contact for professionals and members of the public.
contacts_referrals|+|Duty social workers deal with incoming referrals in a prompt and professional manner.
contacts_referrals|-|Callers to the customer service centre sometimes wait a long time before speaking to a social worker.
contacts_referrals|+|Referrals are prioritised according to risk, and urgent cases are passed immediately to the duty senior practitioner.
contacts_referrals|-|The recording of contacts by call centre staff lacks detail, which means social workers have to go back to referrers for basic information.
contacts_referrals|+|The front door service is well organised and the duty system is clearly understood by staff.
contacts_referrals|!|Some referrals received by email were not logged for several days, and there was no system to check that all referrals had been recorded.
contacts_referrals|+|Information from referrers is gathered thoroughly at the first contact.
contacts_referrals|+|The duty and advice team provides a responsive service to professionals who call for consultation.
contacts_referrals|-|Contact and referral arrangements differ between the three locality offices, leading to inconsistency.
contacts_referrals|+|Members of the public who ring with a concern about a child are dealt with courteously and their information is taken down in full.
contacts_referrals|+|Incoming contacts are logged on the day they are received and allocated a level of priority.
screening_decisions|+|Decisions on referrals are timely and appropriate, and are made within one working day.
screening_decisions|-|Some decisions to take no further action on referrals were not supported by sufficient information.
screening_decisions|+|Screening of contacts is thorough, and the reasons for each decision are clearly stated.
screening_decisions|!|Referrals are not always screened promptly, and in some cases children were left at potential risk while a decision was awaited.
screening_decisions|+|The outcomes of contacts are decided quickly, with appropriate signposting where social care involvement is not needed.
screening_decisions|-|The reasons for decisions to close contacts with no further action are not recorded.
screening_decisions|+|Contacts are screened by experienced staff who make sound decisions about next steps.
screening_decisions|-|There is drift in the screening of some referrals, with decisions taking up to a week.
screening_decisions|+|Decision-making at the point of referral is consistent and well reasoned.
screening_decisions,qualified_staff|-|Initial screening decisions are made by unqualified staff in some cases.
screening_decisions|+|Contacts which do not need a social work response are filtered quickly, so that duty workers can concentrate on those that do.
assessment_quality|+|The quality of assessments is good, with sound analysis of risk and clear conclusions.
assessment_quality|-|Assessments are largely descriptive and lack analysis of the risks to children.
assessment_quality|+|Assessments take full account of family history and previous referrals.
assessment_quality|-|Chronologies are not used routinely, and assessments do not draw on the history of previous involvement.
assessment_quality|+|Assessments are thorough and outcomes for children are clearly identified.
assessment_quality|-|The quality of initial assessments is variable; some are thorough but others do not identify what needs to happen next.
assessment_quality|+|Risk is assessed well, and assessments are clear about what needs to change for the child.
assessment_quality|-|Assessments do not always address the needs of all the children in the household.
assessment_quality|!|Some assessments failed to recognise clear indicators of risk, and as a result children were left in situations that had not been properly evaluated.
assessment_quality|+|Inspectors saw many well-written, analytical assessments that make good use of information from other agencies.
assessment_quality|-|Core assessments are often a repeat of the initial assessment and add little new understanding of the family.
assessment_quality|+|Assessments are of a consistently good standard and are informed by research.
assessment_quality|-|The conclusions of assessments are not always clear to families or to other professionals.
assessment_quality|+|Fathers and other significant adults are routinely included in assessments.
assessment_quality|+|Written assessments are well structured, with a clear summary of strengths and concerns in each family.
assessment_quality|+|Historical information is used well to understand patterns of concern.
case_closure|!|Some cases referred to the duty team had been closed without an assessment having been completed.
case_closure|-|Cases are sometimes closed before agreed services are in place.
case_closure|+|Decisions to close cases are appropriate and are recorded with a clear rationale.
case_closure,children_seen|!|A number of cases had been closed without the children being seen, so their needs had not been fully explored.
case_closure|+|Case closure is well managed, with families given information about where to seek help in future.
case_closure|-|Closure summaries are not completed, and families are not told that their case has been closed.
child_protection_enquiries,qualified_staff|+|Child protection enquiries are timely and are thoroughly investigated by suitably qualified staff.
child_protection_enquiries|+|Section 47 enquiries are carried out promptly and to a good standard.
child_protection_enquiries|-|The recording of section 47 enquiries is inconsistent, and outcomes are not always clear.
child_protection_enquiries|+|Where there are concerns about significant harm, social workers respond immediately and enquiries are well coordinated.
child_protection_enquiries|!|Child protection enquiries were not started promptly in some cases where children were at risk of significant harm.
child_protection_enquiries|+|Investigations into concerns of abuse are robust and children are protected quickly.
child_protection_enquiries|-|Decisions to move from section 47 enquiries to an initial child protection conference are sometimes delayed.
child_protection_enquiries|+|Responses to child protection concerns are swift and appropriate.
child_protection_enquiries|-|Joint investigations with the police are not always undertaken where they should be.
child_protection_enquiries|+|Enquiries under section 47 are well planned, and the outcome is explained to families in writing.
child_protection_enquiries|-|Some section 47 enquiries lack depth and do not establish whether the child is safe.
child_protection_enquiries|+|The council's response to allegations of significant harm was timely in all the cases examined.
child_protection_enquiries|-|Section 47 enquiries are not always completed within 15 working days.
child_protection_enquiries|+|Child protection investigations are conducted sensitively, and parents understand why the enquiry is taking place.
strategy_discussions|+|Strategy discussions are held promptly, involve the right agencies and are well recorded.
strategy_discussions|-|Police do not always attend strategy meetings, and some discussions take place only by telephone.
strategy_discussions|+|Strategy meetings are well attended by police, health and education representatives.
strategy_discussions|-|The outcomes of strategy discussions are not consistently recorded on case files.
strategy_discussions,child_protection_enquiries|!|In some cases a strategy discussion had not been held before a child protection enquiry began.
strategy_discussions|+|Multi-agency strategy discussions take place in all appropriate cases and lead to clear decisions.
strategy_discussions|-|Strategy discussions are sometimes held between social care and the police only, without input from health professionals.
strategy_discussions|+|Records of strategy meetings are detailed and show clearly who is responsible for each action.
strategy_discussions|-|There are delays in convening strategy discussions, particularly at weekends.
strategy_discussions|+|The police child abuse investigation team contributes fully to strategy discussions, which are convened quickly.
strategy_discussions|+|Strategy discussions are always chaired by a manager and their decisions are clear.
it_systems|-|The electronic recording system is cumbersome, and staff spend a disproportionate amount of time entering data.
it_systems|+|The integrated children's system has been adapted well to the needs of practitioners.
it_systems|-|Frequent IT failures have disrupted the work of the duty team.
it_systems|+|The new electronic case management system is well designed and supports good practice.
it_systems|-|The electronic record does not allow managers to see easily which cases are awaiting allocation.
it_systems|+|Staff find the electronic recording system easy to use.
it_systems|-|Social workers cannot access the electronic record when working away from the office.
it_systems|-|The ICS exemplars are poorly suited to recording assessments, and workers resort to free-text case notes.
it_systems|+|Improvements to the ICS have reduced the time social workers spend at their computers.
unallocated_cases|!|A large number of cases are awaiting allocation to a social worker, and some have been unallocated for several months.
unallocated_cases|-|Unallocated cases are held by the team manager, and there is little evidence of work being done on them.
unallocated_cases|+|There are no unallocated cases in the referral and assessment service.
unallocated_cases|+|Every referral accepted for assessment is allocated to a named worker on the same day.
unallocated_cases|-|Cases that are waiting for a worker are not reviewed regularly.
unallocated_cases|+|The number of cases awaiting allocation has reduced significantly, and those remaining are reviewed weekly.
unallocated_cases|!|Some children on child protection plans did not have an allocated social worker.
unallocated_cases|+|All children in need cases have a named allocated worker.
agency_staff|-|There is a heavy reliance on agency social workers, which affects the continuity of support for families.
agency_staff|+|The council has reduced its use of agency staff, and the workforce is now largely permanent.
agency_staff|-|Many of the team's managers are interim appointments, and this has affected the consistency of practice.
agency_staff|+|Temporary staff are quickly integrated into teams and the quality of their work is closely monitored.
agency_staff|-|Frequent changes of worker, caused by the use of short-term agency staff, mean that some families have had several social workers in a short time.
agency_staff|+|The workforce is stable, with very few temporary staff.
agency_staff|-|The assessment team relies largely on locum staff, and the council has no plan to reduce this.
qualified_staff|+|All assessments are undertaken by qualified and experienced social workers.
qualified_staff|!|Unqualified staff are undertaking initial assessments and child protection enquiries without adequate oversight.
qualified_staff|-|Some complex cases are held by social workers without sufficient experience.
qualified_staff|+|Duty workers are all qualified social workers with a good knowledge of child protection.
qualified_staff|-|Family support workers are carrying out parts of assessments that should be undertaken by a qualified social worker.
qualified_staff|+|Work is allocated according to the experience of staff, so that complex cases are held by senior practitioners.
qualified_staff|-|Contact centre staff without social work qualifications are giving advice to professionals about child protection concerns.
qualified_staff|+|Only registered social workers carry out assessments and investigations.
qualified_staff|+|Experienced practitioners lead on all child protection work in the team.
partnership_working|+|Effective partnership working across agencies is well established and leads to appropriate referrals.
partnership_working|+|Links with health visitors, schools and the police are strong, and joint working is well developed.
partnership_working|-|Relationships with some partner agencies are underdeveloped, and schools in particular report difficulty in engaging with social care.
partnership_working|+|A co-located multi-agency team provides a coordinated response to families.
partnership_working|-|Partners are not always involved in assessments, which limits the range of information gathered.
partnership_working|+|Close working between social care and the police child abuse investigation team is a notable strength.
partnership_working,early_help|+|Agencies work together well to support children at an early stage.
partnership_working|-|Joint working with adult mental health services is weak.
partnership_working|+|Good working relationships exist with the local hospital, and referrals from the accident and emergency department are dealt with well.
partnership_working|-|Communication between children's social care and health services is poor at an operational level.
partnership_working|+|Multi-agency working is strong, supported by a well-established local safeguarding children board.
partnership_working|-|There is limited involvement of housing and adult services in multi-agency work with families.
partnership_working|+|Partner agencies speak highly of their working relationships with the referral and assessment team.
partnership_working|+|Joint working with the youth offending service and schools is effective.
partnership_working|+|Health and education colleagues contribute well to assessments.
partnership_working|+|The council and its partners have developed a shared approach to safeguarding which is well understood by front-line staff.
domestic_abuse|+|Risks to children living with domestic violence are well understood, and there is good use of the multi-agency risk assessment conference.
domestic_abuse|-|The impact of domestic abuse on children is not consistently assessed.
domestic_abuse|+|Specialist workers support families experiencing domestic violence, and children's safety is considered in every case.
domestic_abuse|-|Where domestic violence is a feature, assessments do not always consider the risk posed by the perpetrator.
domestic_abuse|+|Work with families where there is domestic abuse is strong, with good links to refuge and outreach services.
domestic_abuse|+|Social workers have a good understanding of the effect on children of living with violence between adults.
information_sharing|+|Referrers are routinely informed of the outcome of their referrals.
information_sharing|-|Feedback to referrers about what has happened as a result of their referral is inconsistent.
information_sharing|+|Information is shared appropriately and promptly between agencies.
information_sharing|-|Professionals who make referrals are not always told the outcome.
information_sharing|+|There are clear protocols for sharing information with partner agencies, and these are well understood by staff.
information_sharing|-|Information about children is not always passed to health colleagues in a timely way.
information_sharing|+|Schools and health professionals are given written confirmation of the decisions made on their referrals.
information_sharing|-|Delays in obtaining information from other agencies slow down assessments.
information_sharing|+|Inspectors saw good examples of timely information sharing between the police, health and children's social care.
information_sharing|+|Referring agencies receive a letter explaining what will happen next.
equality_diversity|+|Equality and diversity issues are satisfactorily considered within assessments.
equality_diversity|-|Assessments do not consistently address the ethnicity, culture or religion of children and families.
equality_diversity|+|Interpreters are used appropriately, and the needs of families whose first language is not English are well understood.
equality_diversity|-|The recording of children's ethnicity is incomplete.
equality_diversity|+|Cultural and religious needs are sensitively explored in assessments.
equality_diversity|-|Insufficient attention is given to the diverse backgrounds of families in the area.
equality_diversity|+|Staff demonstrate good awareness of the needs of the area's diverse communities.
equality_diversity|-|Families who need interpreters are not always offered one, and assessments are sometimes carried out through family members.
equality_diversity|+|Issues of identity, including faith and culture, are explored well in assessments.
audit_performance|+|Senior managers have appropriate audit and performance management systems in place.
audit_performance|-|Case file audits do not take place regularly, and there is no clear system for learning from them.
audit_performance|+|Performance data is used well by managers to monitor the throughput of work and target improvement.
audit_performance|-|Quality assurance arrangements are underdeveloped.
audit_performance|+|A programme of regular case audits, involving managers at all levels, has improved practice.
audit_performance|-|Performance information is not reliable, and managers cannot be confident about how quickly work is being done.
audit_performance|+|There is a strong performance culture, with weekly reports on key indicators shared with all staff.
audit_performance|-|Audit findings are not fed back to individual workers.
audit_performance|+|The quality assurance framework is well established and includes observation of practice.
audit_performance|-|Managers do not have access to timely management information about the work of their teams.
audit_performance|+|Thematic audits have been used well to identify and address weaknesses in practice.
audit_performance|+|Monitoring of performance by senior managers is robust.
audit_performance|+|Regular file audits by senior managers give them a good understanding of the quality of frontline practice.
training_development|+|Staff have good access to training and development opportunities.
training_development,caseloads_workloads|+|Newly qualified social workers are well supported through a structured induction programme and protected caseloads.
training_development|-|Training in assessment skills has not been available to all staff.
training_development|+|A comprehensive training programme supports the continuing professional development of social workers.
training_development|-|Induction for new staff is inconsistent, and some workers began holding cases without any introduction to local procedures.
training_development|+|Social workers have been supported to gain post-qualifying awards.
training_development|-|There is limited access to specialist training, for example on working with neglect.
training_development|+|Inducting new staff is done well, with shadowing opportunities and a clear programme.
training_development|-|Newly qualified social workers do not receive the additional support they need in their first year.
training_development|+|Staff speak highly of the learning opportunities provided by the council, including in-house workshops.
training_development|+|A well-regarded social work academy provides training for new and experienced staff.
training_development|+|The council invests in the development of its staff, and a high proportion of social workers hold post-qualifying awards.
leadership_management|+|Senior managers are visible and accessible to front-line staff.
leadership_management|-|Staff report that senior managers are remote and rarely visit the teams.
leadership_management|+|There is strong and clear leadership of the referral and assessment service.
leadership_management|-|Frequent changes in senior management have left staff unclear about the direction of the service.
leadership_management|+|Managers are approachable, and staff say they can always get advice.
leadership_management|-|Some team managers lack the experience to lead the service effectively.
leadership_management|+|The head of service has a clear vision for the service, which is shared by staff.
leadership_management|+|Leaders have responded well to the findings of previous inspections.
leadership_management|-|Operational managers are stretched across too many responsibilities.
leadership_management|+|Leadership at all levels is strong and stable.
leadership_management|+|The Director and senior team regularly visit the front-line teams and are well known to staff.
early_help|+|There is a good range of preventive services, and children are referred to them appropriately.
early_help|-|Use of the common assessment framework by partner agencies is underdeveloped.
early_help|+|The common assessment framework is well established, and many families receive help without the need for a referral to social care.
early_help|-|Step-down arrangements to universal and targeted services are unclear, and families are sometimes left without support when their case closes.
early_help|+|Early intervention services are well developed and help to reduce the need for statutory involvement.
early_help|-|There are waiting lists for family support services, which delays help for families.
early_help|+|Families who do not meet the threshold for social care are signposted effectively to other support.
early_help|-|Professionals lack confidence in using the CAF, and many referrals are made to social care that could be dealt with at an earlier stage.
early_help|+|The family support service provides timely help to children in need.
early_help|+|Children's centres and schools offer a wide range of early help to families.
plans_and_review|+|Child in need plans are clear and regularly reviewed.
plans_and_review|-|Plans following assessment are often vague and do not set out who is responsible for what.
plans_and_review|+|Safety plans are put in place promptly where children are at risk.
plans_and_review|-|Child in need cases are not reviewed regularly, and some plans had not been updated for many months.
plans_and_review|+|Plans are outcome focused and shared with families.
plans_and_review|-|There is no consistent approach to planning for children in need after assessment.
plans_and_review|+|Reviews of child in need plans involve families and other agencies.
plans_and_review|!|Safety plans are not always in place for children who remain at home following child protection enquiries.
plans_and_review|+|Planning following assessment is clear and specific about the services to be provided.
parental_consent|+|Parental consent is obtained before referrals are made, except where this would place a child at risk.
parental_consent|-|It is not always clear that parents have consented to information being shared, or that they know a referral has been made.
parental_consent|+|Social workers explain the referral process to parents well and record their agreement to assessments.
parental_consent|-|Referrals from some agencies are made without parents' knowledge or agreement.
parental_consent|+|Consent issues are well understood by staff and partners.
disabled_children|-|Assessments of disabled children are not always completed by staff with the right expertise.
disabled_children|-|The needs of disabled children are not consistently identified in assessments.
disabled_children|-|There are delays in the assessment of disabled children because referrals pass between the disability team and the assessment team.
allegations_lado|+|Allegations against people who work with children are well managed by the local authority designated officer.
allegations_lado|+|The LADO service is effective and well known to partner agencies.
allegations_lado|+|There are sound arrangements for dealing with concerns about professionals who work with children.
domestic_abuse|+|Assessments in cases of domestic abuse consider carefully the safety of the non-abusing parent and the children.
parental_consent|+|Parents are told clearly when a referral has been made about their child and what will happen next.
case_closure|+|Cases are closed only after a manager has confirmed that the child's needs have been met or that other services are in place.
plans_and_review|+|Child in need reviews are held on time and plans are updated as circumstances change.
information_sharing|+|Information held by health and education services is gathered quickly to inform decisions.
it_systems|+|Electronic systems are reliable and provide managers with useful reports.
children_seen_alone|+|Young people told inspectors that their social worker had spoken to them privately.
core_assessment_timeliness|+|Timeliness of core assessments is good.
service_user_feedback|+|Each family is invited to comment on the service at the end of an assessment, and a summary of comments is discussed at team meetings.
childs_voice|+|Assessments include direct quotes from children, so that what matters to them is clear to those reading the file.
police_notifications|+|Reports from the police about domestic incidents are dealt with quickly and consistently.
morale|+|Social workers are enthusiastic about their work, and staff sickness levels are low.
case_recording|+|Files are well organised, with up-to-date case notes and a clear record of actions taken.
agency_staff|+|The service no longer depends on agency staff, giving families greater continuity of worker.
equality_diversity|+|Good attention is paid to the language needs of families, with interpreters booked in advance.
leadership_management|+|Staff describe senior leaders as supportive and open to new ideas.
contacts_referrals|+|Telephone calls to the referral team are answered promptly.
unallocated_cases|+|Allocation of new work is swift and transparent.
children_seen_alone|+|Social workers make a point of talking with each child individually, without family members present, and note what was said.
service_user_feedback|+|Managers seek feedback from parents by telephone after an assessment has finished, and this has shaped the information given to families.
childs_voice|+|Children's views are sought and recorded well, including those of younger children through observation and play.
police_notifications|+|Domestic abuse notifications received from the police are screened the same day by a team manager.
morale|+|Workers say that this is a good place to work, and the team has a strong sense of shared purpose.
case_recording|+|Case notes are typed up promptly and give a clear account of each contact with the family.
core_assessment_timeliness|+|Core assessments are completed within timescales, and any that are late are escalated to a senior manager.
information_sharing|+|Health visitors and school nurses receive timely information about children known to social care.
parental_consent|+|Written consent from parents is sought and kept on file.
domestic_abuse|+|The multi-agency response to families where there is domestic abuse is well coordinated.
plans_and_review|+|Children in need have clear plans which are understood by their families.
it_systems|+|The electronic record supports efficient working, and staff can access it from remote locations.
case_closure|+|Closure of cases is timely and families are informed in writing.
early_help|+|Effective early intervention, including parenting programmes, is available to families who need it.
equality_diversity|+|Assessments pay good attention to disability, ethnicity and family language.
screening_decisions|+|Screening decisions are recorded with a clear rationale.
strategy_discussions|+|Strategy discussions are held within a day of a concern being raised.
audit_performance|+|Managers make good use of performance reports to identify and address delays.
training_development|+|Staff have access to a good range of courses, and newly appointed workers are well supported.
leadership_management|+|Middle managers are experienced and provide strong leadership for their teams.
qualified_staff|+|The duty senior practitioner is an experienced, qualified social worker.
agency_staff|+|Agency workers make up only a small part of the workforce.
unallocated_cases|+|No child in the service is without an allocated worker.
partnership_working|+|Schools and health services report that working with children's social care has improved.
contacts_referrals|+|The duty desk is well staffed and deals with enquiries efficiently.
assessment_quality|+|Assessments are analytical and reach clear conclusions about risk.
child_protection_enquiries|+|Child protection enquiries are completed quickly and thoroughly.
"""

# Pair findings: (source, section, themes, text). Sections: satisfactory/strength/development/priority
PAIRS = [
 # Leeds 2009 -> 2011: out of hours improved; supervision persists; initial assessment timeliness improved
 ("leeds-2009.txt","development","out_of_hours","The emergency duty team does not routinely pass on details of overnight contacts to the day teams, and social workers were not always aware of incidents that had occurred over the weekend."),
 ("leeds-2011.txt","strength","out_of_hours","Out of hours cover is now well coordinated with the daytime service, and information about overnight calls is available to the duty team at the start of each working day."),
 ("leeds-2009.txt","development","supervision","Supervision does not take place at the frequency required by the council's policy, and some sessions are cancelled because of pressure of work."),
 ("leeds-2011.txt","development","supervision","Formal supervision remains irregular for a number of staff, and the recording of supervision discussions is limited."),
 ("leeds-2009.txt","priority","initial_assessment_timeliness","Fewer than half of initial assessments are completed within seven working days, and there are long delays for some children."),
 ("leeds-2011.txt","satisfactory","initial_assessment_timeliness","The timeliness of initial assessments has improved significantly and most are now completed within seven working days."),
 # Camden 2010 -> 2012
 ("camden-2010.txt","priority","children_seen_alone","Children are not routinely seen alone during assessments, and in several cases sampled there was no evidence that the child's views had been sought away from their parents."),
 ("camden-2012.txt","strength","children_seen_alone","Children are now seen on their own in almost every assessment, and workers record what the child said."),
 ("camden-2010.txt","development","vacancies_recruitment","The number of vacant social worker posts in the referral and assessment team remains high despite recruitment efforts."),
 ("camden-2012.txt","development","vacancies_recruitment","The service continues to carry vacancies in front-line social work posts, and recruitment of experienced staff is difficult."),
 ("camden-2010.txt","strength","service_user_feedback","Feedback from children and families is routinely gathered through a telephone survey and is used by managers to improve the service."),
 ("camden-2012.txt","strength","service_user_feedback","Parents' and children's views on the service are sought systematically, and a recent survey has led to changes in how families are told about assessments."),
 # Norfolk 2009 -> 2010
 ("norfolk-2009.txt","development","core_assessment_timeliness","Too few core assessments are completed within the 35 working day timescale."),
 ("norfolk-2010.txt","development","core_assessment_timeliness","Core assessments continue to be completed outside timescales in a significant proportion of cases."),
 ("norfolk-2009.txt","development","morale","Staff in the assessment teams told inspectors that morale is low following a period of reorganisation."),
 ("norfolk-2010.txt","strength","morale","Morale among social workers has improved markedly, and staff describe a supportive culture within the teams."),
 ("norfolk-2009.txt","development","thresholds","The threshold criteria for social care involvement are not understood consistently by partner agencies, particularly schools."),
 ("norfolk-2010.txt","satisfactory","thresholds","Thresholds for referral are now clearly understood across the partnership following a programme of briefings for schools and health staff."),
 # Nottinghamshire 2010 -> 2011
 ("nottinghamshire-2010.txt","priority","police_notifications","A backlog of police notifications of domestic violence incidents has built up, and some had not been reviewed by a qualified social worker for over a month."),
 ("nottinghamshire-2011.txt","satisfactory","police_notifications","Police notifications are now screened within one working day by a qualified social worker."),
 ("nottinghamshire-2010.txt","development","caseloads_workloads","Social workers in the initial assessment teams carry high caseloads, which limits the time available for direct work with families."),
 ("nottinghamshire-2011.txt","development","caseloads_workloads","Caseloads remain high in some teams, and staff say that they have little time for reflection."),
 ("nottinghamshire-2010.txt","development","childs_voice","The views of children are not consistently recorded in assessments."),
 ("nottinghamshire-2011.txt","strength","childs_voice","The wishes and feelings of children are now well captured, and assessments show how their views have been taken into account."),
 # Blackburn with Darwen 2009 -> 2011
 ("blackburn-with-darwen-2009.txt","development","management_oversight","Management oversight of cases is not always evident on case files, and the reasons for key decisions are not recorded."),
 ("blackburn-with-darwen-2011.txt","strength","management_oversight","Managers' oversight of casework is now clearly evident on every file seen, with decisions and reasons recorded."),
 ("blackburn-with-darwen-2009.txt","development","case_recording","Case records are not consistently up to date, and some contain gaps of several weeks."),
 ("blackburn-with-darwen-2011.txt","development","case_recording","Case recording is still not always up to date, although it has improved since the last inspection."),
 ("blackburn-with-darwen-2009.txt","priority","children_seen","Not all children who are the subject of an initial assessment have been seen by a social worker."),
 ("blackburn-with-darwen-2011.txt","strength","children_seen","All children who are assessed are now seen by their social worker, and this is recorded clearly."),
 # Hertfordshire 2011 -> 2012 (supervision declined; agency persists; equality improved)
 ("hertfordshire-2011.txt","strength","supervision","Supervision is regular, well recorded and valued by staff."),
 ("hertfordshire-2012.txt","development","supervision","Supervision has become less regular since the restructure, and some staff had not been supervised for two months."),
 ("hertfordshire-2011.txt","development","agency_staff","The service relies on a high proportion of agency social workers in the assessment teams."),
 ("hertfordshire-2012.txt","development","agency_staff","Reliance on agency workers remains high, affecting consistency for families."),
 ("hertfordshire-2011.txt","development","equality_diversity","Assessments do not routinely consider the cultural background of families."),
 ("hertfordshire-2012.txt","strength","equality_diversity","Assessments now consider the cultural and religious background of families well."),
]

def parse():
    out = []
    for line in BANK.strip().splitlines():
        th, sign, text = line.split("|", 2)
        out.append({"themes": th.split(","), "sign": sign, "text": text.strip()})
    return out
